// Command vmi-crd prints the KubeVirt VirtualMachineInstance CustomResourceDefinition
// (apiextensions.k8s.io/v1) of a published kubevirt.io/api version, made the way KubeVirt makes
// it, from KubeVirt's Go types:
//
//  1. The schema: KubeVirt's hack/generate.sh runs
//     `controller-gen crd:allowDangerousTypes=true paths=../api/core/v1/` and its
//     tools/crd-validation-generator keeps spec.versions[0].schema of the VMI CRD (with
//     backticks in descriptions made quotes), which becomes components.CRDsValidation. We run
//     the same controller-tools CRD generator, in process, with the same option, on the
//     published kubevirt.io/api/core/v1 package.
//  2. The rest: virt-operator's components.NewVirtualMachineInstanceCrd()
//     (pkg/virt-operator/resource/generate/components/crds.go), which installs the CRD in a
//     real cluster, sets names, scope, printer columns and versions (v1 storage, deprecated
//     v1alpha3, from virtv1.ApiSupportedVersions, same schema for both), mirrored below (the
//     same in KubeVirt v1.5 to v1.9). That package cannot be imported from published modules:
//     kubevirt.io/kubevirt v1.9.0 needs kubevirt.io/virt-template-*, which the module proxy
//     does not serve here.
//
// For KubeVirt v1.5.0, v1.7.0 and v1.9.0 the schema equals the release's CRDsValidation.
//
// KubeVirt's VMI CRD has NO status subresource (unlike VirtualMachine's): virt-controller and
// virt-handler write .status through the main resource. -status-subresource adds one anyway.
//
// controller-tools reads Go source, not compiled types, so the version is chosen at run time
// by -C, a Go module that pins kubevirt.io/api: test/engines/kubevirt itself (v1.9.0, as built
// into this program) or test/engines/kubevirt/api-vX.Y.Z. This needs the go command; modules
// not yet in the module cache are downloaded (those of test/engines/kubevirt are there after
// the build). Stdout is the CRD; one line on stderr tells the version.
//
//	vmi-crd -C test/engines/kubevirt/api-v1.5.0 [-o yaml|json] [-status-subresource] > vmi.yaml
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"golang.org/x/tools/go/packages"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-tools/pkg/crd"
	"sigs.k8s.io/controller-tools/pkg/genall"
	"sigs.k8s.io/controller-tools/pkg/loader"
	"sigs.k8s.io/yaml"

	virtv1 "kubevirt.io/api/core/v1"
)

const (
	apiModule  = "kubevirt.io/api"
	apiPackage = apiModule + "/core/v1"
	// The file controller-gen writes for the VMI kind (<group>_<plural>.yaml).
	vmiFile = "kubevirt.io_virtualmachineinstances.yaml"
)

func main() {
	dir := flag.String("C", ".", "directory of the Go module that pins "+apiModule+" (test/engines/kubevirt)")
	format := flag.String("o", "yaml", "output format: yaml or json")
	statusSubresource := flag.Bool("status-subresource", false, "add a status subresource (KubeVirt's VMI CRD has none)")
	flag.Parse()
	if *format != "yaml" && *format != "json" {
		fmt.Fprintf(os.Stderr, "vmi-crd: unknown output format %q (yaml or json)\n", *format)
		os.Exit(2)
	}
	if err := run(*dir, *format, *statusSubresource, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "vmi-crd: %v\n", err)
		os.Exit(1)
	}
}

func run(dir, format string, statusSubresource bool, stdout io.Writer) error {
	validation, err := generateValidation(dir)
	if err != nil {
		return err
	}
	vmi, err := newVirtualMachineInstanceCrd(validation)
	if err != nil {
		return err
	}
	if statusSubresource {
		for i := range vmi.Spec.Versions {
			vmi.Spec.Versions[i].Subresources = &extv1.CustomResourceSubresources{Status: &extv1.CustomResourceSubresourceStatus{}}
		}
	}
	out, err := marshal(vmi, format)
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}

// generateValidation runs controller-tools' CRD generator on kubevirt.io/api/core/v1 the way
// KubeVirt's hack/generate.sh does and returns the VMI schema, as crd-validation-generator does.
func generateValidation(dir string) (*extv1.CustomResourceValidation, error) {
	built, err := builtAPIVersion()
	if err != nil {
		return nil, err
	}
	allowDangerousTypes := true // KubeVirt's API has float64 fields
	var gen genall.Generator = crd.Generator{AllowDangerousTypes: &allowDangerousTypes}
	cfg := &packages.Config{
		Dir:  dir,
		Mode: packages.NeedModule,
		// Never touch go.mod/go.sum, ignore any go.work around the folder.
		Env: append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off"),
	}
	rt, err := genall.Generators{&gen}.ForRootsWithConfig(cfg, apiPackage)
	if err != nil {
		return nil, fmt.Errorf("loading %s in %s: %w", apiPackage, dir, err)
	}
	if len(rt.Roots) != 1 || rt.Roots[0].Module == nil {
		return nil, fmt.Errorf("loading %s in %s: not found in a module (run in test/engines/kubevirt or pass -C)", apiPackage, dir)
	}
	m := rt.Roots[0].Module
	if m.Replace != nil {
		m = m.Replace
	}
	if m.Path != apiModule || m.Version == "" {
		return nil, fmt.Errorf("%s resolves to %s@%s in %s, not to a published %s version", apiPackage, m.Path, m.Version, dir, apiModule)
	}
	fmt.Fprintf(os.Stderr, "vmi-crd: VirtualMachineInstance CRD of %s %s (module in %s; built with %s)\n", apiModule, m.Version, dir, built)
	files := memoryOutput{}
	rt.OutputRules = genall.OutputRules{Default: files}
	var errs bytes.Buffer
	rt.ErrorWriter = &errs
	if rt.Run() {
		return nil, fmt.Errorf("controller-gen crd on %s failed:\n%s", apiPackage, errs.String())
	}
	raw, ok := files[vmiFile]
	if !ok {
		return nil, fmt.Errorf("controller-gen wrote no %s", vmiFile)
	}
	var generated extv1.CustomResourceDefinition
	if err := yaml.Unmarshal(raw.Bytes(), &generated); err != nil {
		return nil, fmt.Errorf("%s: %w", vmiFile, err)
	}
	if len(generated.Spec.Versions) == 0 || generated.Spec.Versions[0].Schema == nil {
		return nil, fmt.Errorf("%s has no schema", vmiFile)
	}
	validation := generated.Spec.Versions[0].Schema
	validation.OpenAPIV3Schema = sanitizeSchema(validation.OpenAPIV3Schema)
	return validation, nil
}

// builtAPIVersion is the kubevirt.io/api version linked into this binary.
func builtAPIVersion() (string, error) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", fmt.Errorf("no build info in this binary")
	}
	for _, dep := range info.Deps {
		if dep.Path == apiModule {
			if dep.Replace != nil {
				return dep.Replace.Version, nil
			}
			return dep.Version, nil
		}
	}
	return "", fmt.Errorf("%s is not in this binary's build info", apiModule)
}

// newVirtualMachineInstanceCrd mirrors components.NewVirtualMachineInstanceCrd of KubeVirt's
// virt-operator (which installs the CRD in a real cluster), given the generated validation.
func newVirtualMachineInstanceCrd(validation *extv1.CustomResourceValidation) (*extv1.CustomResourceDefinition, error) {
	versions := make([]extv1.CustomResourceDefinitionVersion, len(virtv1.ApiSupportedVersions))
	copy(versions, virtv1.ApiSupportedVersions)
	columns := []extv1.CustomResourceColumnDefinition{
		{Name: "Age", Type: "date", JSONPath: ".metadata.creationTimestamp"},
		{Name: "Phase", Type: "string", JSONPath: ".status.phase"},
		{Name: "IP", Type: "string", JSONPath: ".status.interfaces[0].ipAddress"},
		{Name: "NodeName", Type: "string", JSONPath: ".status.nodeName"},
		{Name: "Ready", Type: "string", JSONPath: ".status.conditions[?(@.type=='Ready')].status"},
		{Name: "Live-Migratable", Type: "string", JSONPath: ".status.conditions[?(@.type=='LiveMigratable')].status", Priority: 1},
		{Name: "Paused", Type: "string", JSONPath: ".status.conditions[?(@.type=='Paused')].status", Priority: 1},
	}
	for i := range versions {
		versions[i].AdditionalPrinterColumns = columns
		versions[i].Schema = validation.DeepCopy()
	}
	gvk := virtv1.VirtualMachineInstanceGroupVersionKind
	vmi := &extv1.CustomResourceDefinition{
		TypeMeta: metav1.TypeMeta{APIVersion: "apiextensions.k8s.io/v1", Kind: "CustomResourceDefinition"},
		ObjectMeta: metav1.ObjectMeta{
			Name:   "virtualmachineinstances." + gvk.Group,
			Labels: map[string]string{virtv1.AppLabel: ""},
		},
		Spec: extv1.CustomResourceDefinitionSpec{
			Group:    gvk.Group,
			Versions: versions,
			Scope:    extv1.NamespaceScoped,
			Names: extv1.CustomResourceDefinitionNames{
				Plural:     "virtualmachineinstances",
				Singular:   "virtualmachineinstance",
				Kind:       gvk.Kind,
				ShortNames: []string{"vmi", "vmis"},
				Categories: []string{"all"},
			},
		},
	}
	return vmi, nil
}

// sanitizeSchema is what KubeVirt's tools/crd-validation-generator does to each schema before
// storing it in a Go raw string: backticks in descriptions become single quotes (it walks
// properties and items only, as there).
func sanitizeSchema(in *extv1.JSONSchemaProps) *extv1.JSONSchemaProps {
	schema := in.DeepCopy()
	schema.Description = strings.ReplaceAll(schema.Description, "`", "'")
	if schema.Items != nil {
		if schema.Items.Schema != nil {
			schema.Items.Schema = sanitizeSchema(schema.Items.Schema)
		}
		for i := range schema.Items.JSONSchemas {
			schema.Items.JSONSchemas[i] = *sanitizeSchema(&schema.Items.JSONSchemas[i])
		}
	}
	for name, prop := range schema.Properties {
		schema.Properties[name] = *sanitizeSchema(&prop)
	}
	return schema
}

// marshal renders the CRD without the empty status and creationTimestamp Go's zero values add.
func marshal(vmi *extv1.CustomResourceDefinition, format string) ([]byte, error) {
	raw, err := json.Marshal(vmi)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	delete(obj, "status")
	if meta, ok := obj["metadata"].(map[string]any); ok {
		delete(meta, "creationTimestamp")
	}
	switch format {
	case "yaml":
		return yaml.Marshal(obj)
	case "json":
		out, err := json.MarshalIndent(obj, "", "  ")
		return append(out, '\n'), err
	default:
		return nil, fmt.Errorf("unknown output format %q (yaml or json)", format)
	}
}

// memoryOutput collects what a generator writes, by file name.
type memoryOutput map[string]*bytes.Buffer

func (m memoryOutput) Open(_ *loader.Package, path string) (io.WriteCloser, error) {
	buf := &bytes.Buffer{}
	m[path] = buf
	return nopCloser{buf}, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
