package facadegen

import (
	"bytes"
	"os"
	"testing"
)

// The committed facades are what the generator writes from docs/operations.json;
// DUCTAPE_BLESS=1 rewrites them instead of failing.
func TestGeneratedFacadesAreCurrent(t *testing.T) {
	outputs, err := Outputs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range outputs {
		got, _ := os.ReadFile(path)
		if bytes.Equal(got, want) {
			continue
		}
		if os.Getenv("DUCTAPE_BLESS") != "" {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is stale: run `go run ./cmd/ductape-facadegen` in bindings/go", path)
	}
}

func TestShapesFollowTheRequestSchema(t *testing.T) {
	desc := []byte(`{"error_codes":[{"code":"timeout","summary":"s"},{"code":"atlas_error","summary":"s"}],"operations":[
	 {"name":"cloud.connections.validate","summary":"v","request":{"properties":{"tag":{}},"required":["tag"]}},
	 {"name":"cloud.connections.complete","summary":"c","request":{"properties":{"tag":{},"x":{}},"required":["tag"]}},
	 {"name":"cloud.connections.syncNetworkAccess","summary":"s","request":{"properties":{"tag":{}}}},
	 {"name":"debug.echo","summary":"e","debug_only":true,"request":{}}]}`)
	root, _, err := Parse(desc)
	if err != nil {
		t.Fatal(err)
	}
	ops := root.Children[0].Children[0].Ops
	got := []Shape{ops[0].Shape, ops[1].Shape, ops[2].Shape}
	if want := []Shape{TagOnly, TagParams, ParamsOnly}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("shapes %v, want %v", got, want)
	}
	if ops[2].Method != "SyncNetworkAccess" || len(root.Children) != 1 {
		t.Fatalf("method %q, %d top-level namespaces (debug.* must be left out)", ops[2].Method, len(root.Children))
	}
	if csException("timeout") != "DuctapeTimeoutException" || csException("atlas_error") != "AtlasException" {
		t.Fatal("exception names")
	}
}
