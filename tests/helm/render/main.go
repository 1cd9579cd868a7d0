// Command render renders a Helm chart the way `helm template` does, without Helm.
//
// It uses the same engine Helm uses (Go text/template with the Sprig function library, plus
// Helm's own include, tpl, required, toYaml, fromYaml, toJson, fromJson and lookup) so that a
// chart that renders here renders identically under Helm 3 for the features the wsload chart uses.
// .Files holds the chart's files outside templates/ (Get, GetBytes, Lines, Glob keys), as in Helm.
// Not supported: subcharts, .helmignore, hooks, --set, schema files, real lookup (it returns an
// empty map).
//
// Usage: render -chart DIR [-f values.yaml]... [-name NAME] [-namespace NS] [-notes]
// Prints the manifests as "---\n# Source: CHART/templates/FILE\n..." documents sorted in Helm's
// install order (kind, then file), or only NOTES.txt with -notes. Exit status 1 on any error,
// with the message on stderr in Helm's form ("execution error at (FILE:LINE:COL): MESSAGE").
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

// kindOrder is Helm's InstallOrder, reduced to the kinds a chart like ours can produce.
var kindOrder = []string{"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
	"PodDisruptionBudget", "ServiceAccount", "Secret", "ConfigMap", "StorageClass",
	"PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
	"ClusterRoleBinding", "Role", "RoleBinding", "Service", "DaemonSet", "Pod",
	"ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
	"StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService"}

func main() {
	var values fileList
	chartDir := flag.String("chart", "", "chart directory (holds Chart.yaml)")
	release := flag.String("name", "wsload", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	notes := flag.Bool("notes", false, "print only the rendered NOTES.txt")
	flag.Var(&values, "f", "values file merged over the chart's values.yaml (repeatable)")
	flag.Parse()
	if *chartDir == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: render -chart DIR [-f values.yaml]... [-name NAME] [-namespace NS] [-notes]")
		os.Exit(2)
	}
	out, err := render(*chartDir, values, *release, *namespace, *notes)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	fmt.Print(out)
}

func readYAMLMap(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m == nil {
		m = map[string]interface{}{}
	}
	return m, nil
}

// coalesce merges src over dst like Helm: maps merge recursively, other values replace, and an
// explicit null in src deletes the key.
func coalesce(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		sm, srcIsMap := v.(map[string]interface{})
		dm, dstIsMap := dst[k].(map[string]interface{})
		if srcIsMap && dstIsMap {
			dst[k] = coalesce(dm, sm)
		} else {
			dst[k] = v
		}
	}
	return dst
}

// chartMetadata exposes Chart.yaml with Helm's field names (name -> Name, apiVersion -> APIVersion).
func chartMetadata(raw map[string]interface{}) map[string]interface{} {
	meta := map[string]interface{}{}
	for k, v := range raw {
		if k == "apiVersion" {
			meta["APIVersion"] = v
			continue
		}
		meta[strings.ToUpper(k[:1])+k[1:]] = v
	}
	return meta
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

// funcMap is Sprig without env/expandenv (as in Helm) plus Helm's own functions; include and tpl
// need the parsed template set, reached through *root once parsing is done.
func funcMap(root **template.Template) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	depth := 0
	f["toYaml"] = toYAML
	f["fromYaml"] = fromYAML
	f["toJson"] = toJSON
	f["fromJson"] = fromJSON
	f["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	f["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, errors.New(msg)
		}
		return v, nil
	}
	f["include"] = func(name string, data interface{}) (string, error) {
		if depth > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		depth++
		defer func() { depth-- }()
		var buf bytes.Buffer
		if err := (*root).ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := (*root).Clone()
		if err != nil {
			return "", err
		}
		t, err := clone.New("tpl").Option("missingkey=zero").Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return "", err
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	return f
}

// files is Helm's .Files: chart-relative slash paths to contents, templates/ excluded.
type files map[string][]byte

// Get returns a file's text, or "" when the chart has no such file (as Helm does).
func (f files) Get(name string) string { return string(f[name]) }

// GetBytes returns a file's bytes, or nil.
func (f files) GetBytes(name string) []byte { return f[name] }

// Lines returns a file's lines.
func (f files) Lines(name string) []string {
	if len(f[name]) == 0 {
		return []string{}
	}
	return strings.Split(strings.TrimSuffix(string(f[name]), "\n"), "\n")
}

// Glob returns the files whose paths match the pattern (path.Match syntax).
func (f files) Glob(pattern string) files {
	out := files{}
	for name, data := range f {
		if ok, _ := filepath.Match(pattern, name); ok {
			out[name] = data
		}
	}
	return out
}

// loadFiles reads the chart's files as Helm's loader keeps them in .Files: every regular file but
// templates/, charts/, Chart.yaml, Chart.lock, values.yaml and values.schema.json.
func loadFiles(chartDir string) (files, error) {
	out := files{}
	err := filepath.WalkDir(chartDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(chartDir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "templates" || rel == "charts" {
				return filepath.SkipDir
			}
			return nil
		}
		switch rel {
		case "Chart.yaml", "Chart.lock", "values.yaml", "values.schema.json":
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[rel] = data
		return nil
	})
	return out, err
}

type document struct {
	source string
	kind   string
	text   string
}

func kindRank(kind string) int {
	for i, k := range kindOrder {
		if k == kind {
			return i
		}
	}
	return len(kindOrder)
}

func render(chartDir string, valueFiles []string, release, namespace string, notesOnly bool) (string, error) {
	rawChart, err := readYAMLMap(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return "", err
	}
	chartName, _ := rawChart["name"].(string)
	if chartName == "" {
		return "", errors.New("Chart.yaml: name is required")
	}
	values, err := readYAMLMap(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return "", err
	}
	for _, vf := range valueFiles {
		override, err := readYAMLMap(vf)
		if err != nil {
			return "", err
		}
		values = coalesce(values, override)
	}

	paths, err := filepath.Glob(filepath.Join(chartDir, "templates", "*"))
	if err != nil {
		return "", err
	}
	sort.Strings(paths)
	var root *template.Template
	root = template.New("gotpl").Option("missingkey=zero").Funcs(funcMap(&root))
	var names []string
	for _, p := range paths {
		base := filepath.Base(p)
		if !strings.HasSuffix(base, ".yaml") && !strings.HasSuffix(base, ".yml") &&
			!strings.HasSuffix(base, ".tpl") && base != "NOTES.txt" {
			continue
		}
		text, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		name := chartName + "/templates/" + base
		if _, err := root.New(name).Parse(string(text)); err != nil {
			return "", fmt.Errorf("parse error in %s: %w", name, err)
		}
		names = append(names, name)
	}

	chartFiles, err := loadFiles(chartDir)
	if err != nil {
		return "", err
	}
	top := map[string]interface{}{
		"Values": values,
		"Files":  chartFiles,
		"Chart":  chartMetadata(rawChart),
		"Release": map[string]interface{}{
			"Name": release, "Namespace": namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{
				"Version": "v1.29.0", "Major": "1", "Minor": "29", "GitVersion": "v1.29.0",
			},
			"HelmVersion": map[string]interface{}{"Version": "v3.14.0"},
		},
	}

	var docs []document
	for _, name := range names {
		base := filepath.Base(name)
		if strings.HasPrefix(base, "_") || (base == "NOTES.txt") != notesOnly {
			continue
		}
		top["Template"] = map[string]interface{}{"Name": name, "BasePath": chartName + "/templates"}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, top); err != nil {
			return "", cleanError(err)
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if notesOnly {
			return text, nil
		}
		for _, part := range splitDocuments(text) {
			obj := map[string]interface{}{}
			if err := yaml.Unmarshal([]byte(part), &obj); err != nil {
				return "", fmt.Errorf("YAML parse error in %s: %w\n%s", name, err, part)
			}
			if len(obj) == 0 {
				continue
			}
			kind, _ := obj["kind"].(string)
			docs = append(docs, document{source: name, kind: kind, text: part})
		}
	}
	sort.SliceStable(docs, func(i, j int) bool { return kindRank(docs[i].kind) < kindRank(docs[j].kind) })
	var out strings.Builder
	for _, d := range docs {
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", d.source, strings.TrimRight(d.text, "\n "))
	}
	return out.String(), nil
}

// splitDocuments splits on "---" separator lines; blank documents are dropped.
func splitDocuments(text string) []string {
	var parts []string
	var cur []string
	flush := func() {
		doc := strings.Join(cur, "\n")
		if strings.TrimSpace(doc) != "" {
			parts = append(parts, strings.TrimLeft(doc, "\n"))
		}
		cur = nil
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimRight(line, " ") == "---" {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return parts
}

// cleanError reduces text/template's "template: NAME:L:C: executing "NAME" at <...>: error calling
// required: MSG" to Helm's "execution error at (NAME:L:C): MSG" for required and fail.
func cleanError(err error) error {
	msg := err.Error()
	for _, marker := range []string{"error calling required: ", "error calling fail: "} {
		i := strings.Index(msg, marker)
		if i < 0 {
			continue
		}
		loc := strings.TrimPrefix(msg, "template: ")
		if j := strings.Index(loc, ": executing"); j >= 0 {
			loc = loc[:j]
		}
		return fmt.Errorf("execution error at (%s): %s", loc, msg[i+len(marker):])
	}
	return err
}
