// Command tmploracle renders Go text/template templates for Ferry's conformance tests.
//
// It reads one JSON object per line on stdin:
//
//	{"name": "t", "template": "...", "data": ..., "delims": ["<<", ">>"], "missingKey": "error", "functions": "sprig"}
//
// and writes one line per input: {"output": "..."} or {"error": "..."}.
// Numbers in data decode the way Kubernetes decodes JSON: integers as int64, others as float64.
// With functions "resourceset", the data is reachable through the `inputs` function and dot is nil,
// as in Flux Operator's ResourceSet builder.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/template"
	"time"

	sv "github.com/Masterminds/semver/v3"
	sprig "github.com/go-task/slim-sprig/v3"
	"github.com/gosimple/slug"
	"sigs.k8s.io/yaml"
)

type request struct {
	Name       string          `json:"name"`
	Template   string          `json:"template"`
	Data       json.RawMessage `json:"data"`
	Delims     []string        `json:"delims"`
	MissingKey string          `json:"missingKey"`
	Functions  string          `json:"functions"`
}

type response struct {
	Output *string `json:"output,omitempty"`
	Error  *string `json:"error,omitempty"`
}

func main() {
	// Dates are compared in UTC whatever the machine's zone (sprig's toDate parses in time.Local).
	time.Local = time.UTC
	slug.MaxLength = 63
	slug.EnableSmartTruncate = true
	in := bufio.NewReader(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for {
		line, err := in.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			_ = enc.Encode(handle(line))
			_ = out.Flush()
		}
		if err != nil {
			return
		}
	}
}

func handle(line []byte) (resp response) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprintf("panic: %v", r)
			resp = response{Error: &msg}
		}
	}()
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		msg := "bad request: " + err.Error()
		return response{Error: &msg}
	}
	var data any
	if len(req.Data) > 0 {
		dec := json.NewDecoder(bytes.NewReader(req.Data))
		dec.UseNumber()
		if err := dec.Decode(&data); err != nil {
			msg := "bad data: " + err.Error()
			return response{Error: &msg}
		}
		data = convertNumbers(data)
	}
	s, err := render(req, data)
	if err != nil {
		msg := err.Error()
		return response{Error: &msg}
	}
	return response{Output: &s}
}

func convertNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = convertNumbers(e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = convertNumbers(e)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

func render(req request, data any) (string, error) {
	name := req.Name
	if name == "" {
		name = "t"
	}
	t := template.New(name)
	if len(req.Delims) == 2 {
		t = t.Delims(req.Delims[0], req.Delims[1])
	}
	switch req.Functions {
	case "", "sprig":
		t = t.Funcs(sprig.HermeticTxtFuncMap())
	case "resourceset":
		input := data
		data = nil
		t = t.Funcs(sprig.HermeticTxtFuncMap()).
			Funcs(template.FuncMap{"slugify": slug.Make}).
			Funcs(template.FuncMap{"inputs": func() any { return input }}).
			Funcs(template.FuncMap{"toYaml": rsetToYaml, "mustToYaml": rsetMustToYaml})
	case "helm":
		t = t.Funcs(sprig.HermeticTxtFuncMap()).Funcs(helmFuncs(t))
	case "none":
	default:
		return "", fmt.Errorf("unknown function library %q", req.Functions)
	}
	if req.MissingKey != "" {
		t = t.Option("missingkey=" + req.MissingKey)
	}
	t, err := t.Parse(req.Template)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

func rsetToYaml(v any) string {
	s, err := rsetMustToYaml(v)
	if err != nil {
		return ""
	}
	return s
}

func rsetMustToYaml(v any) (string, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// helmFuncs are the functions Helm's engine adds on top of sprig, reimplemented here the way Helm
// defines them (include/tpl bound to the template set being executed; lookup returns an empty map, as
// Helm does without a cluster).
func helmFuncs(t *template.Template) template.FuncMap {
	return template.FuncMap{
		"include": includeFun(t),
		"tpl":     tplFun(t),
		"required": func(msg string, v any) (any, error) {
			if v == nil {
				return v, errors.New(msg)
			}
			if s, ok := v.(string); ok && s == "" {
				return v, errors.New(msg)
			}
			return v, nil
		},
		"toYaml": func(v any) string {
			b, err := yaml.Marshal(v)
			if err != nil {
				return ""
			}
			return strings.TrimSuffix(string(b), "\n")
		},
		"fromYaml": func(s string) map[string]any {
			m := map[string]any{}
			if err := yaml.Unmarshal([]byte(s), &m); err != nil {
				m["Error"] = err.Error()
			}
			return m
		},
		"fromYamlArray": func(s string) []any {
			a := []any{}
			if err := yaml.Unmarshal([]byte(s), &a); err != nil {
				a = []any{err.Error()}
			}
			return a
		},
		"toJson": func(v any) string {
			b, err := json.Marshal(v)
			if err != nil {
				return ""
			}
			return string(b)
		},
		"fromJson": func(s string) map[string]any {
			m := map[string]any{}
			if err := json.Unmarshal([]byte(s), &m); err != nil {
				m["Error"] = err.Error()
			}
			return m
		},
		"fromJsonArray": func(s string) []any {
			a := []any{}
			if err := json.Unmarshal([]byte(s), &a); err != nil {
				a = []any{err.Error()}
			}
			return a
		},
		// semverCompare as sprig v3 defines it (Helm's function map has full sprig).
		"semverCompare": func(constraint, version string) (bool, error) {
			c, err := sv.NewConstraint(constraint)
			if err != nil {
				return false, err
			}
			v, err := sv.NewVersion(version)
			if err != nil {
				return false, err
			}
			return c.Check(v), nil
		},
		"lookup": func(apiVersion, kind, namespace, name string) (map[string]any, error) {
			return map[string]any{}, nil
		},
	}
}

// includeFun is Helm's include: executes a named template of the set into a string.
func includeFun(t *template.Template) func(string, any) (string, error) {
	return func(name string, data any) (string, error) {
		var b strings.Builder
		if err := t.ExecuteTemplate(&b, name, data); err != nil {
			return "", err
		}
		return b.String(), nil
	}
}

// tplFun is Helm's tpl: parses text into a clone of the set (whose include and tpl see the clone),
// executes it, and drops "<no value>" from the result as Helm does.
func tplFun(parent *template.Template) func(string, any) (string, error) {
	return func(text string, data any) (string, error) {
		t, err := parent.Clone()
		if err != nil {
			return "", err
		}
		t.Funcs(template.FuncMap{"include": includeFun(t), "tpl": tplFun(t)})
		t, err = t.New(parent.Name()).Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var b strings.Builder
		if err := t.Execute(&b, data); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(b.String(), "<no value>", ""), nil
	}
}
