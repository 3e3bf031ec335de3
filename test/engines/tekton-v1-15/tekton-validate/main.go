// Command tekton-validate runs Tekton Pipelines' own admission (the defaulting and validating
// webhooks of github.com/tektoncd/pipeline, the version pinned in ../go.mod) on Task, Pipeline,
// TaskRun and PipelineRun manifests (tekton.dev/v1), offline: no cluster and no webhook. It is
// the engine-test oracle for "would Tekton accept what we generate?".
//
//	tekton-validate [--feature-flags KEY=VALUE,…] [--run] [FILE|- …]
//
// Input: multi-document YAML (or JSON) per file; stdin when no FILE is given or for "-".
// Other documents are skipped silently (RBAC, ConfigMaps, a scenario list, …); a Tekton kind of
// another apiVersion is bad input.
//
// Output: one JSON line per Tekton document, in input order, on stdout:
//
//	{"kind":"Pipeline","name":"…","ok":true}
//	{"kind":"Pipeline","name":"…","ok":false,"error":"…","warnings":["…"]}
//
// "name" is metadata.name, else metadata.generateName. "error" is Tekton's message verbatim (the
// error-level part of the FieldError, what the webhook denies with); "warnings" its
// warning-level part (what kubectl prints as "Warning:"). Exit status: 0 when every document is
// ok, 1 when any was rejected, 2 on bad input (unreadable file, not YAML, an invalid feature
// flag, no Tekton document at all).
//
// What is applied — the webhook's path for a create (cmd/webhook/main.go →
// knative.dev/pkg/webhook/resourcesemantics/{defaulting,validation}):
//
//   - decoding with unknown fields disallowed outside metadata (knative webhook/json.Decode with
//     disallowUnknownFields, as both admission controllers are registered), after a YAML→JSON
//     conversion that rejects duplicate keys (kubectl's strict field validation);
//   - SetDefaults (the defaulting webhook runs first), then Validate, both with
//     apis.WithinCreate and a context carrying Tekton's config: every ConfigMap at its built-in
//     default except feature-flags, which is `enable-api-fields: beta` (what docs/tekton.md
//     requires) plus --feature-flags.
//
// --run adds, for each PipelineRun, what the controller checks before it starts one
// (pkg/reconciler/pipelinerun: the Pipeline's spec again, required params, param types, object
// keys, array indexes, workspace bindings, taskRunSpecs names; then, params applied, each
// pipeline task's params against its Task), resolving pipelineRef and taskRef by name from the
// inputs (as they would be in the run's namespace). Its errors start with "run: ". Not checked
// either way: result references, which are only known while the run goes.
//
// Keep this file and ../../tekton-v1-3/tekton-validate/main.go identical: the calls that differ
// between the pins are in version.go.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"knative.dev/pkg/apis"
	webhookjson "knative.dev/pkg/webhook/json"
	"sigs.k8s.io/yaml"

	"github.com/tektoncd/pipeline/pkg/apis/config"
	v1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	prresources "github.com/tektoncd/pipeline/pkg/reconciler/pipelinerun/resources"
	"github.com/tektoncd/pipeline/pkg/reconciler/taskrun"
	trresources "github.com/tektoncd/pipeline/pkg/reconciler/taskrun/resources"
)

// result is one output line.
type result struct {
	Kind     string   `json:"kind"`
	Name     string   `json:"name"`
	OK       bool     `json:"ok"`
	Error    string   `json:"error,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// object is what both webhooks need of a Tekton resource.
type object interface {
	apis.Defaultable
	apis.Validatable
	GetName() string
	SetName(string)
	GetGenerateName() string
}

// document is one Tekton object of the inputs, or the reason it could not be decoded.
type document struct {
	kind, name string
	obj        object
	decodeErr  error
}

const apiVersion = "tekton.dev/v1"

func newObject(kind string) object {
	switch kind {
	case "Task":
		return &v1.Task{}
	case "Pipeline":
		return &v1.Pipeline{}
	case "TaskRun":
		return &v1.TaskRun{}
	case "PipelineRun":
		return &v1.PipelineRun{}
	}
	return nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("tekton-validate", flag.ContinueOnError)
	flags.SetOutput(stderr)
	featureFlags := flags.String("feature-flags", "", "KEY=VALUE,… overriding the feature-flags ConfigMap (on top of enable-api-fields=beta)")
	runChecks := flags.Bool("run", false, "also apply the controller's checks before running each PipelineRun (its Pipeline and Tasks from the inputs)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "tekton-validate: "+format+"\n", a...)
		return 2
	}
	ctx, err := newContext(*featureFlags)
	if err != nil {
		return fail("%v", err)
	}
	files := flags.Args()
	if len(files) == 0 {
		files = []string{"-"}
	}
	var docs []document
	for _, file := range files {
		body, err := readInput(file, stdin)
		if err != nil {
			return fail("%v", err)
		}
		ds, err := splitDocuments(body)
		if err != nil {
			return fail("%s: %v", file, err)
		}
		docs = append(docs, ds...)
	}
	if len(docs) == 0 {
		return fail("no Task, Pipeline, TaskRun or PipelineRun (%s) in the input", apiVersion)
	}

	// Admission first, for all: a run sees the Pipelines and Tasks admission stored (defaulted).
	results := make([]result, len(docs))
	pipelines, tasks := map[string]*v1.Pipeline{}, map[string]*v1.Task{}
	for i, d := range docs {
		r := result{Kind: d.kind, Name: d.name, OK: true}
		if d.decodeErr != nil {
			r.OK, r.Error = false, d.decodeErr.Error()
		} else {
			warnings, err := admit(ctx, d.obj)
			r.Warnings = warnings
			if err != nil {
				r.OK, r.Error = false, err.Error()
			}
		}
		switch v := d.obj.(type) {
		case *v1.Pipeline:
			if r.OK {
				pipelines[v.Name] = v
			}
		case *v1.Task:
			if r.OK {
				tasks[v.Name] = v
			}
		}
		results[i] = r
	}
	if *runChecks {
		for i, d := range docs {
			if pr, ok := d.obj.(*v1.PipelineRun); ok && results[i].OK {
				if err := checkRun(ctx, pr, pipelines, tasks); err != nil {
					results[i].OK, results[i].Error = false, "run: "+err.Error()
				}
			}
		}
	}

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	status := 0
	for _, r := range results {
		if !r.OK {
			status = 1
		}
		if err := enc.Encode(r); err != nil {
			return fail("%v", err)
		}
	}
	return status
}

// newContext carries Tekton's config as the webhook's config store would after reading the
// ConfigMaps: built-in defaults, feature-flags set as we require.
func newContext(overrides string) (context.Context, error) {
	flagMap := map[string]string{"enable-api-fields": "beta"}
	for _, kv := range strings.Split(overrides, ",") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("--feature-flags: %q is not KEY=VALUE", kv)
		}
		flagMap[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	ff, err := config.NewFeatureFlagsFromMap(flagMap)
	if err != nil {
		return nil, fmt.Errorf("--feature-flags: %w", err)
	}
	cfg := config.FromContextOrDefaults(context.Background())
	cfg.FeatureFlags = ff
	return config.ToContext(context.Background(), cfg), nil
}

// admit is the defaulting then the validating webhook on a create; it returns the warnings and
// the error-level part of Tekton's FieldError.
func admit(ctx context.Context, obj object) ([]string, error) {
	ctx = apis.WithinCreate(ctx)
	obj.SetDefaults(ctx)
	// The API server names a generateName object before validating admission (not before
	// defaulting): a 5-character suffix on the prefix cut to 58 characters.
	if obj.GetName() == "" && obj.GetGenerateName() != "" {
		prefix := obj.GetGenerateName()
		if len(prefix) > 58 {
			prefix = prefix[:58]
		}
		obj.SetName(prefix + "x7k2p")
	}
	fe := obj.Validate(ctx)
	if fe == nil {
		return nil, nil
	}
	var warnings []string
	if w := fe.Filter(apis.WarningLevel); w != nil {
		for _, e := range w.WrappedErrors() {
			warnings = append(warnings, e.Error())
		}
		sort.Strings(warnings)
	}
	if e := fe.Filter(apis.ErrorLevel); e != nil {
		return warnings, e
	}
	return warnings, nil
}

// checkRun applies the controller's checks before it runs a PipelineRun, in its order; the
// first failure is the one the run would fail with.
func checkRun(ctx context.Context, pr *v1.PipelineRun, pipelines map[string]*v1.Pipeline, tasks map[string]*v1.Task) error {
	var spec *v1.PipelineSpec
	pipelineName := ""
	switch {
	case pr.Spec.PipelineSpec != nil:
		spec = pr.Spec.PipelineSpec.DeepCopy()
	case pr.Spec.PipelineRef != nil && pr.Spec.PipelineRef.Name != "":
		pipelineName = pr.Spec.PipelineRef.Name
		p, ok := pipelines[pipelineName]
		if !ok {
			return fmt.Errorf("pipeline %q is not in the inputs", pipelineName)
		}
		spec = p.Spec.DeepCopy()
	default:
		return errors.New("only a pipelineRef by name or an inline pipelineSpec is resolved")
	}
	if fe := spec.Validate(ctx); fe != nil {
		if e := fe.Filter(apis.ErrorLevel); e != nil {
			return fmt.Errorf("invalid pipeline spec: %w", e)
		}
	}
	checks := []struct {
		what string
		fn   func() error
	}{
		{"required params", func() error { return prresources.ValidateRequiredParametersProvided(&spec.Params, &pr.Spec.Params) }},
		{"param types", func() error { return prresources.ValidateParamTypesMatching(spec, pr) }},
		{"param enums", func() error {
			if !config.FromContextOrDefaults(ctx).FeatureFlags.EnableParamEnum {
				return nil
			}
			return taskrun.ValidateEnumParam(ctx, pr.Spec.Params, spec.Params)
		}},
		{"object param keys", func() error { return prresources.ValidateObjectParamRequiredKeys(spec.Params, pr.Spec.Params) }},
		{"array indexes", func() error { return prresources.ValidateParamArrayIndex(spec, pr.Spec.Params) }},
		{"workspace bindings", func() error { return prresources.ValidateWorkspaceBindings(spec, pr) }},
		{"taskRunSpecs", func() error { return prresources.ValidateTaskRunSpecs(spec, pr) }},
	}
	for _, c := range checks {
		if err := c.fn(); err != nil {
			return fmt.Errorf("%s: %w", c.what, err)
		}
	}
	applied, err := applyParameters(ctx, spec, pr)
	if err != nil {
		return fmt.Errorf("applying params: %w", err)
	}
	applied = prresources.ApplyContexts(applied, pipelineName, pr)
	for _, pt := range append(append([]v1.PipelineTask{}, applied.Tasks...), applied.Finally...) {
		rt := &trresources.ResolvedTask{Kind: v1.NamespacedTaskKind}
		switch {
		case pt.TaskSpec != nil:
			if pt.TaskSpec.IsCustomTask() {
				continue
			}
			rt.TaskSpec = &pt.TaskSpec.TaskSpec
		case pt.TaskRef != nil && pt.TaskRef.Name != "" && (pt.TaskRef.Kind == "" || pt.TaskRef.Kind == v1.NamespacedTaskKind):
			t, ok := tasks[pt.TaskRef.Name]
			if !ok {
				return fmt.Errorf("task %q of pipeline task %q is not in the inputs", pt.TaskRef.Name, pt.Name)
			}
			rt.TaskName, rt.TaskSpec = t.Name, &t.Spec
		default:
			continue // custom tasks, child pipelines, remote resolution
		}
		if err := taskrun.ValidateResolvedTask(ctx, pt.Params, pt.Matrix, rt); err != nil {
			return fmt.Errorf("pipeline task %q: %w", pt.Name, err)
		}
	}
	return nil
}

func readInput(file string, stdin io.Reader) ([]byte, error) {
	if file == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(file)
}

// splitDocuments decodes the Tekton documents of one input; a document the webhook would not
// decode is kept with its error, so that it is reported rather than dropped.
func splitDocuments(body []byte) ([]document, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(body)))
	var docs []document
	for i := 1; ; i++ {
		chunk, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		var probe any
		if err := yaml.Unmarshal(chunk, &probe); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		fields, ok := probe.(map[string]any)
		if !ok {
			continue // not a Kubernetes object: only comments, a list, a scalar
		}
		un := &unstructured.Unstructured{Object: fields}
		kind := un.GetKind()
		obj := newObject(kind)
		if obj == nil || !strings.HasPrefix(un.GetAPIVersion(), "tekton.dev/") {
			continue
		}
		if un.GetAPIVersion() != apiVersion {
			return nil, fmt.Errorf("document %d: %s %s: only %s is validated", i, un.GetAPIVersion(), kind, apiVersion)
		}
		d := document{kind: kind, name: un.GetName(), obj: obj}
		if d.name == "" {
			d.name = un.GetGenerateName()
		}
		if js, err := yaml.YAMLToJSONStrict(chunk); err != nil {
			d.decodeErr = err
		} else if err := webhookjson.Decode(js, obj, true); err != nil {
			d.decodeErr = fmt.Errorf("cannot decode incoming new object: %w", err)
		}
		docs = append(docs, d)
	}
}
