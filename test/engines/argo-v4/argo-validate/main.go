// Command argo-validate runs Argo Workflows' own validation (the workflow/validate package of
// github.com/argoproj/argo-workflows/v4, the version pinned in ../go.mod) on Workflow,
// WorkflowTemplate, ClusterWorkflowTemplate and CronWorkflow manifests, offline: no cluster and
// no argo-server. It is the engine-test oracle for "would Argo accept what we generate?".
//
//	argo-validate [--submit] [--strict=false] [--namespace NS] [FILE|- …]
//
// Input: a multi-document YAML (or single JSON) stream per file; stdin when no FILE is given or
// for "-". Every document of the inputs is read before anything is validated, so a Workflow
// (or CronWorkflow) whose workflowTemplateRef/templateRef names a WorkflowTemplate or
// ClusterWorkflowTemplate given anywhere in the inputs is resolved against it, exactly as
// `argo lint --offline` resolves references from the files it is given. A WorkflowTemplate is
// found in the namespace of the referring object (metadata.namespace, else --namespace).
// Documents of other kinds are skipped silently (as `argo lint` does).
//
// Output: one JSON line per Argo document, in input order, on stdout:
//
//	{"kind":"Workflow","name":"…","ok":true}
//	{"kind":"Workflow","name":"…","ok":false,"error":"…"}
//
// "name" is metadata.name, else metadata.generateName. "error" is Argo's message verbatim.
// Exit status: 0 when every document is ok, 1 when any failed, 2 on bad input (unreadable file,
// a document that is not YAML/JSON, duplicate template names, no Argo document at all).
//
// Which validation is applied — the mode mirrors the argo CLI/server call sites of v4.1.4:
//
//   - default (lint): what `argo lint --offline` does (cmd/argo/lint/lint.go →
//     pkg/apiclient/offline-*-service-client.go): Workflow, WorkflowTemplate and
//     ClusterWorkflowTemplate with validate.Opts{Lint: true} (spec.arguments.parameters may
//     lack values), CronWorkflow with validate.CronWorkflow; no workflow defaults.
//
//   - --submit: what the server applies when the objects are created or submitted, which is also
//     what the workflow-controller re-applies before running a Workflow:
//     Workflow → validate.Workflow(Opts{Submit: true}) — server/workflow SubmitWorkflow and
//     workflow/util.SubmitWorkflow. For a Workflow this is identical to the Opts{} of
//     `argo submit FILE` (server CreateWorkflow) and of the controller's one-time validation
//     (workflow/controller/operator.go): Submit only changes anything when validating a
//     template. Every spec.arguments parameter must then have a value.
//     WorkflowTemplate → validate.WorkflowTemplate(Opts{}) as `argo template create`
//     (server CreateWorkflowTemplate), then the Workflow that `argo submit --from
//     workflowtemplate/NAME` creates (common.NewWorkflowFromWorkflowTemplate, no parameter
//     overrides) with Opts{Submit: true}: the template must run with its own defaults.
//     ClusterWorkflowTemplate → the same with cluster scope.
//     CronWorkflow → validate.CronWorkflow, as `argo cron create` and the cron controller
//     before each run (it validates the converted Workflow with Opts{}).
//
// Parsing is Argo's own (workflow/common.ParseObjects); --strict (default true, as for
// `argo lint` and `argo submit`) rejects unknown fields and duplicate keys.
//
// Keep this file and ../../argo-v3/argo-validate/main.go as alike as possible: they differ only
// where the v3 and v4 APIs differ (context arguments, logger, Validate* names, ValidateOpts).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	wf "github.com/argoproj/argo-workflows/v4/pkg/apis/workflow"
	wfv1 "github.com/argoproj/argo-workflows/v4/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v4/util/logging"
	"github.com/argoproj/argo-workflows/v4/workflow/common"
	"github.com/argoproj/argo-workflows/v4/workflow/validate"
)

// ---- version-specific part (v4.1.4) ---------------------------------------------------------

// newContext returns the context Argo's functions expect: v4 requires a logger in it.
func newContext() context.Context {
	return logging.WithLogger(context.Background(), logging.NewSlogLogger(logging.Warn, logging.Text))
}

// parseObjects is Argo's own manifest parser (as used by `argo lint`).
func parseObjects(ctx context.Context, body []byte, strict bool) []common.ParseResult {
	return common.ParseObjects(ctx, body, strict)
}

// wftmplGetter resolves WorkflowTemplates of one namespace from the inputs
// (templateresolution.WorkflowTemplateNamespacedGetter; the message is the offline client's).
type wftmplGetter struct {
	namespace string
	templates map[string]*wfv1.WorkflowTemplate
}

func (g wftmplGetter) Get(_ context.Context, name string) (*wfv1.WorkflowTemplate, error) {
	if t, ok := g.templates[name]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("couldn't find workflow template %q in namespace %q", name, g.namespace)
}

// cwftmplGetter resolves ClusterWorkflowTemplates from the inputs
// (templateresolution.ClusterWorkflowTemplateGetter).
type cwftmplGetter map[string]*wfv1.ClusterWorkflowTemplate

func (g cwftmplGetter) Get(_ context.Context, name string) (*wfv1.ClusterWorkflowTemplate, error) {
	if t, ok := g[name]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("couldn't find cluster workflow template %q", name)
}

// Thin wrappers so that the shared part below reads the same in v3 and v4.
type opts = validate.Opts

func validateWorkflow(ctx context.Context, w wftmplGetter, c cwftmplGetter, obj *wfv1.Workflow, o opts) error {
	return validate.Workflow(ctx, w, c, obj, nil, o)
}

func validateWorkflowTemplate(ctx context.Context, w wftmplGetter, c cwftmplGetter, obj *wfv1.WorkflowTemplate, o opts) error {
	return validate.WorkflowTemplate(ctx, w, c, obj, nil, o)
}

func validateClusterWorkflowTemplate(ctx context.Context, _ wftmplGetter, c cwftmplGetter, obj *wfv1.ClusterWorkflowTemplate, o opts) error {
	// The server and the offline client pass no namespaced getter for cluster templates.
	return validate.ClusterWorkflowTemplate(ctx, nil, c, obj, nil, o)
}

func validateCronWorkflow(ctx context.Context, w wftmplGetter, c cwftmplGetter, obj *wfv1.CronWorkflow) error {
	return validate.CronWorkflow(ctx, w, c, obj, nil)
}

// ---- shared part (keep identical in argo-v3 and argo-v4, imports aside) ---------------------

// result is one output line.
type result struct {
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// document is one Argo object of the inputs, or the reason it could not be decoded.
type document struct {
	kind, name, namespace string
	obj                   any   // *wfv1.Workflow, *wfv1.WorkflowTemplate, …; nil when parseErr
	parseErr              error // Argo's parse error (e.g. strict: unknown field)
}

// yamlSeparator is Argo's own document separator (workflow/common/parse.go).
var yamlSeparator = regexp.MustCompile(`\n---`)

var validatedKinds = map[string]bool{
	wf.WorkflowKind: true, wf.WorkflowTemplateKind: true, wf.ClusterWorkflowTemplateKind: true, wf.CronWorkflowKind: true,
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("argo-validate", flag.ContinueOnError)
	flags.SetOutput(stderr)
	submit := flags.Bool("submit", false, "validate as the server does on create/submit (and the controller before running), instead of as `argo lint`")
	strict := flags.Bool("strict", true, "reject unknown fields and duplicate keys (argo lint/submit --strict)")
	namespace := flags.String("namespace", "default", "namespace of objects that have none")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	files := flags.Args()
	if len(files) == 0 {
		files = []string{"-"}
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "argo-validate: "+format+"\n", a...)
		return 2
	}

	ctx := newContext()
	var docs []document
	for _, file := range files {
		body, err := readInput(file, stdin)
		if err != nil {
			return fail("%v", err)
		}
		ds, err := splitDocuments(ctx, body, *strict, *namespace)
		if err != nil {
			return fail("%s: %v", file, err)
		}
		docs = append(docs, ds...)
	}
	if len(docs) == 0 {
		return fail("no Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow in the input")
	}

	// The templates any reference may resolve to (as newOfflineClient builds them).
	wftmpls := map[string]wftmplGetter{}
	cwftmpls := cwftmplGetter{}
	for _, d := range docs {
		switch v := d.obj.(type) {
		case *wfv1.WorkflowTemplate:
			g, ok := wftmpls[d.namespace]
			if !ok {
				g = wftmplGetter{namespace: d.namespace, templates: map[string]*wfv1.WorkflowTemplate{}}
				wftmpls[d.namespace] = g
			}
			if _, dup := g.templates[v.Name]; dup {
				return fail("duplicate WorkflowTemplate found: %q", v.Name)
			}
			g.templates[v.Name] = v
		case *wfv1.ClusterWorkflowTemplate:
			if _, dup := cwftmpls[v.Name]; dup {
				return fail("duplicate ClusterWorkflowTemplate found: %q", v.Name)
			}
			cwftmpls[v.Name] = v
		}
	}
	getter := func(ns string) wftmplGetter {
		if g, ok := wftmpls[ns]; ok {
			return g
		}
		return wftmplGetter{namespace: ns, templates: map[string]*wfv1.WorkflowTemplate{}}
	}

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	status := 0
	for _, d := range docs {
		err := d.parseErr
		if err == nil {
			err = validateDocument(ctx, d, getter(d.namespace), cwftmpls, *submit)
		}
		r := result{Kind: d.kind, Name: d.name, OK: err == nil}
		if err != nil {
			r.Error = err.Error()
			status = 1
		}
		if e := enc.Encode(r); e != nil {
			return fail("%v", e)
		}
	}
	return status
}

// validateDocument applies the validation of the chosen mode (see the package comment).
func validateDocument(ctx context.Context, d document, w wftmplGetter, c cwftmplGetter, submit bool) error {
	switch v := d.obj.(type) {
	case *wfv1.Workflow:
		if submit {
			return validateWorkflow(ctx, w, c, v, opts{Submit: true})
		}
		return validateWorkflow(ctx, w, c, v, opts{Lint: true})
	case *wfv1.WorkflowTemplate:
		if !submit {
			return validateWorkflowTemplate(ctx, w, c, v, opts{Lint: true})
		}
		if err := validateWorkflowTemplate(ctx, w, c, v, opts{}); err != nil {
			return err
		}
		return submitFrom(ctx, w, c, v.Name, false)
	case *wfv1.ClusterWorkflowTemplate:
		if !submit {
			return validateClusterWorkflowTemplate(ctx, w, c, v, opts{Lint: true})
		}
		if err := validateClusterWorkflowTemplate(ctx, w, c, v, opts{}); err != nil {
			return err
		}
		return submitFrom(ctx, w, c, v.Name, true)
	case *wfv1.CronWorkflow:
		return validateCronWorkflow(ctx, w, c, v)
	}
	return fmt.Errorf("unexpected object %T", d.obj)
}

// submitFrom validates the Workflow `argo submit --from [cluster]workflowtemplate/NAME` creates.
func submitFrom(ctx context.Context, w wftmplGetter, c cwftmplGetter, name string, clusterScope bool) error {
	wfFromTemplate := common.NewWorkflowFromWorkflowTemplate(name, clusterScope)
	wfFromTemplate.Namespace = w.namespace
	if err := validateWorkflow(ctx, w, c, wfFromTemplate, opts{Submit: true}); err != nil {
		return fmt.Errorf("argo submit --from: %w", err)
	}
	return nil
}

func readInput(file string, stdin io.Reader) ([]byte, error) {
	if file == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(file)
}

// splitDocuments decodes the Argo documents of one input with Argo's parser, one document at a
// time so that a document Argo would silently drop is reported instead.
func splitDocuments(ctx context.Context, body []byte, strict bool, defaultNamespace string) ([]document, error) {
	chunks := yamlSeparator.Split(string(body), -1)
	if json.Valid(body) {
		chunks = []string{string(body)} // a JSON body is one document (as ParseObjects treats it)
	}
	var docs []document
	for i, chunk := range chunks {
		if strings.TrimSpace(chunk) == "" {
			continue
		}
		un := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(chunk), un); err != nil {
			var probe any
			if yaml.Unmarshal([]byte(chunk), &probe) != nil || un.GetKind() != "" {
				return nil, fmt.Errorf("document %d: %w", i+1, err)
			}
			continue // valid YAML that is not a Kubernetes object (e.g. only comments)
		}
		kind := un.GetKind()
		if !validatedKinds[kind] {
			continue
		}
		d := document{kind: kind, name: un.GetName(), namespace: un.GetNamespace()}
		if d.name == "" {
			d.name = un.GetGenerateName()
		}
		if d.namespace == "" {
			d.namespace = defaultNamespace
		}
		parsed := parseObjects(ctx, []byte(chunk), strict)
		switch {
		case len(parsed) == 0:
			// ParseObjects drops a document whose YAML→JSON conversion fails (strict: duplicate
			// keys); report that error rather than skip the document.
			_, err := yaml.YAMLToJSONStrict([]byte(chunk))
			if err == nil {
				err = errors.New("argo's parser returned no object for this document")
			}
			d.parseErr = err
		case parsed[0].Err != nil:
			d.parseErr = parsed[0].Err
		default:
			d.obj = parsed[0].Object
		}
		docs = append(docs, d)
	}
	return docs, nil
}
