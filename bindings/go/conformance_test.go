package ductape

// The Go conformance runner: every vector in tests/conformance/vectors through Client.CallJSON
// (errors as *Error), the vectors the Rust, Java, Kotlin, Python and .NET runners run. It writes
// $DUCTAPE_CONFORMANCE_REPORT_DIR/go.jsonl for tests/conformance/tools/agree.py. Vectors that
// require the simulator are skipped without DUCTAPE_SIM_URL (and fail with CI set).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

type vector struct {
	Name      string           `json:"name"`
	Requires  []string         `json:"requires"`
	Options   map[string]any   `json:"options"`
	OpenError map[string]any   `json:"open_error"`
	Steps     []map[string]any `json:"steps"`
}

type namedVector struct {
	name string
	v    vector
}

func decodeJSON(data []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(into)
}

func loadVectors(t *testing.T) []namedVector {
	paths, _ := filepath.Glob("../../tests/conformance/vectors/*.json")
	sort.Strings(paths)
	var out []namedVector
	for _, p := range paths {
		text, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Vectors []vector }
		if err := decodeJSON(text, &doc); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		stem := strings.TrimSuffix(filepath.Base(p), ".json")
		for _, v := range doc.Vectors {
			out = append(out, namedVector{stem + "/" + v.Name, v})
		}
	}
	if len(out) == 0 {
		t.Fatal("no conformance vectors found")
	}
	return out
}

// missing marks a key absent from the actual value ("$absent" matches only it).
type missingT struct{}

var missing = missingT{}

// match is the subset match of tests/conformance/README.md, identical in every runner.
func match(expected, actual any, path string) error {
	if expected == "$absent" {
		if actual != missing {
			return fmt.Errorf("%s: expected absent, got %v", path, actual)
		}
		return nil
	}
	if actual == missing {
		return fmt.Errorf("%s: missing", path)
	}
	if expected == "$any" {
		return nil
	}
	switch e := expected.(type) {
	case map[string]any:
		a, ok := actual.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: expected an object, got %v", path, actual)
		}
		for k, v := range e {
			got, present := a[k]
			if !present {
				got = missing
			}
			if err := match(v, got, path+"."+k); err != nil {
				return err
			}
		}
		return nil
	case []any:
		a, ok := actual.([]any)
		if !ok || len(a) != len(e) {
			return fmt.Errorf("%s: expected %d elements, got %v", path, len(e), actual)
		}
		for i := range e {
			if err := match(e[i], a[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case json.Number:
		a, ok := actual.(json.Number)
		x, _, err1 := big.ParseFloat(string(e), 10, 256, big.ToNearestEven)
		y, _, err2 := big.ParseFloat(string(a), 10, 256, big.ToNearestEven)
		if !ok || err1 != nil || err2 != nil || x.Cmp(y) != 0 {
			return fmt.Errorf("%s: expected %v, got %v", path, e, actual)
		}
		return nil
	default:
		if expected != actual {
			return fmt.Errorf("%s: expected %#v, got %#v", path, expected, actual)
		}
		return nil
	}
}

func simURL() string { return os.Getenv("DUCTAPE_SIM_URL") }

func simRequest(base, method, path string, body any) (int, error) {
	var data []byte
	if body != nil {
		data, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(method, strings.TrimRight(base, "/")+path, bytes.NewReader(data))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("%s %s failed: %d", method, path, resp.StatusCode)
	}
	return resp.StatusCode, nil
}

// seenError is what this runner saw, for the cross-language comparison.
func seenError(e *Error) map[string]any {
	var field any
	if e.Field != "" {
		field = e.Field
	}
	var details any
	if e.Details != nil {
		details = e.Details
	}
	return map[string]any{"ok": false, "error": map[string]any{"code": e.Code, "field": field, "message": e.Message, "details": details}}
}

func checkError(err error, want map[string]any, where string) error {
	var e *Error
	if !errors.As(err, &e) {
		return fmt.Errorf("%s: not a *ductape.Error: %v", where, err)
	}
	if e.Code != want["code"] {
		return fmt.Errorf("%s: expected error code %v, got %s: %s", where, want["code"], e.Code, e.Message)
	}
	if !errors.Is(err, sentinel(e.Code)) {
		return fmt.Errorf("%s: errors.Is does not match the %s sentinel", where, e.Code)
	}
	if f, ok := want["field"]; ok {
		wantField, _ := f.(string) // null: no field
		if wantField != e.Field {
			return fmt.Errorf("%s: expected error field %v, got %q: %s", where, f, e.Field, e.Message)
		}
	}
	if m, ok := want["message_contains"].(string); ok && !strings.Contains(e.Message, m) {
		return fmt.Errorf("%s: expected message containing %q, got %q", where, m, e.Message)
	}
	return nil
}

// schemaCount numbers the PostgreSQL schemas of this process's vectors.
var schemaCount int

// freshSchema is the workspace URL of a new schema of its own, as the Rust runner
// (bindings/ffi/tests/conformance.rs) makes it: every vector starts from an empty workspace
// (the core creates the schema on first open).
func freshSchema(admin string) string {
	schemaCount++
	sep := "?"
	if strings.Contains(admin, "?") {
		sep = "&"
	}
	return fmt.Sprintf("%s%soptions=-c%%20search_path%%3Dgoconf_%d_%d", admin, sep, os.Getpid(), schemaCount)
}

// runVector runs one vector and appends what it saw to report.
func runVector(v vector, workdir string, report *[]map[string]any) error {
	sim := simURL()
	if sim != "" {
		if _, err := simRequest(sim, "POST", "/__sim/reset", nil); err != nil {
			return err
		}
	}
	base := sim
	if base == "" {
		base = "http://127.0.0.1:9"
	}
	options := map[string]any{"workspace_dir": workdir, "atlas_base_url": base, "debug_operations": true}
	if admin := os.Getenv("DUCTAPE_TEST_POSTGRES_URL"); admin != "" {
		options["workspace_url"] = freshSchema(admin)
	}
	for k, val := range v.Options {
		options[k] = val
	}
	client, err := Open(options)
	if v.OpenError != nil {
		if err == nil {
			client.Close()
			return fmt.Errorf("open: expected error %v, got a client", v.OpenError)
		}
		var e *Error
		if errors.As(err, &e) {
			*report = append(*report, map[string]any{"step": "open", "seen": seenError(e)})
		}
		return checkError(err, v.OpenError, "open")
	}
	if err != nil {
		return fmt.Errorf("open: %v", err)
	}
	defer client.Close()
	for i, step := range v.Steps {
		if control, ok := step["sim"].(map[string]any); ok {
			if sim == "" {
				return fmt.Errorf("step %d: a sim step needs the simulator", i)
			}
			method, _ := control["method"].(string)
			path, _ := control["path"].(string)
			status, err := simRequest(sim, method, path, control["body"])
			if err != nil {
				return fmt.Errorf("step %d: %v", i, err)
			}
			*report = append(*report, map[string]any{"step": i, "sim": status})
			continue
		}
		op, _ := step["op"].(string)
		expect, _ := step["expect"].(map[string]any)
		var params []byte
		if raw, ok := step["params_raw"].(string); ok {
			params = []byte(raw)
		} else {
			params, _ = json.Marshal(step["params"])
		}
		result, err := client.CallJSON(context.Background(), op, params)
		wantOK, _ := expect["ok"].(bool)
		if _, given := expect["ok"]; !given {
			wantOK = true
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				return fmt.Errorf("step %d (%s): %v", i, op, err)
			}
			*report = append(*report, map[string]any{"step": i, "seen": seenError(e)})
			if wantOK {
				return fmt.Errorf("step %d (%s): expected ok, got %v", i, op, err)
			}
			want, _ := expect["error"].(map[string]any)
			if err := checkError(err, want, fmt.Sprintf("step %d (%s)", i, op)); err != nil {
				return err
			}
			continue
		}
		*report = append(*report, map[string]any{"step": i, "seen": map[string]any{"ok": true, "result": result}})
		if !wantOK {
			return fmt.Errorf("step %d (%s): expected error %v, got ok %v", i, op, expect["error"], result)
		}
		if want, ok := expect["result"]; ok {
			if err := match(want, result, "result"); err != nil {
				return fmt.Errorf("step %d (%s): %v", i, op, err)
			}
		}
	}
	return nil
}

func TestConformance(t *testing.T) {
	vectors := loadVectors(t)
	root := t.TempDir()
	var lines []string
	emit := func(m map[string]any) {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	passed, failed, skipped := 0, 0, 0
	ci := os.Getenv("CI") != "" && os.Getenv("CI") != "false"
	for n, nv := range vectors {
		needsSim := false
		for _, r := range nv.v.Requires {
			needsSim = needsSim || r == "sim"
		}
		if needsSim && simURL() == "" {
			if ci {
				t.Errorf("%s needs the simulator and CI is set: set DUCTAPE_SIM_URL", nv.name)
			}
			skipped++
			emit(map[string]any{"vector": nv.name, "outcome": "SKIP"})
			continue
		}
		workdir := filepath.Join(root, fmt.Sprint(n))
		if err := os.MkdirAll(workdir, 0o700); err != nil {
			t.Fatal(err)
		}
		var report []map[string]any
		outcome := "PASS"
		if err := runVector(nv.v, workdir, &report); err != nil {
			outcome = "FAIL"
			failed++
			t.Errorf("FAIL %s: %v", nv.name, err)
		} else {
			passed++
		}
		for _, line := range report {
			line["vector"] = nv.name
			emit(line)
		}
		emit(map[string]any{"vector": nv.name, "outcome": outcome, "workdir": workdir})
	}
	if dir := os.Getenv("DUCTAPE_CONFORMANCE_REPORT_DIR"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "go.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The backend the vectors ran on, named by the runner itself (scripts/test-postgres.sh checks
	// it says postgres), and how many schemas of their own it gave them there.
	backend := "sqlite"
	if os.Getenv("DUCTAPE_TEST_POSTGRES_URL") != "" {
		backend = fmt.Sprintf("postgres, %d schemas", schemaCount)
	}
	t.Logf("conformance (go, %s): %d passed, %d failed, %d skipped", backend, passed, failed, skipped)
	fmt.Printf("conformance (go, %s): %d passed, %d failed, %d skipped\n", backend, passed, failed, skipped)
	if passed == 0 {
		t.Error("no conformance vector ran")
	}
}
