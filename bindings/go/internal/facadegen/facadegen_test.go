package facadegen

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// bless answers whether to rewrite the facades: DUCTAPE_BLESS set, which is refused when CI is
// set (CI checks the committed files; rewriting them there would turn a stale file green).
func bless(blessSet bool, ci string) (bool, error) {
	if blessSet && ci != "" && ci != "false" {
		return false, errors.New("DUCTAPE_BLESS is refused when CI is set: CI checks the committed files, it does not rewrite them")
	}
	return blessSet, nil
}

func TestBlessIsRefusedInCI(t *testing.T) {
	for _, c := range []struct {
		set     bool
		ci      string
		want    bool
		refused bool
	}{{false, "", false, false}, {false, "true", false, false}, {true, "", true, false}, {true, "false", true, false}, {true, "true", false, true}} {
		got, err := bless(c.set, c.ci)
		if got != c.want || (err != nil) != c.refused {
			t.Errorf("bless(%v, %q) = %v, %v", c.set, c.ci, got, err)
		}
	}
}

// The committed facades are what the generator writes from docs/operations.json;
// DUCTAPE_BLESS=1 rewrites them instead of failing (refused when CI is set).
func TestGeneratedFacadesAreCurrent(t *testing.T) {
	blessSet := os.Getenv("DUCTAPE_BLESS") != ""
	rewrite, err := bless(blessSet, os.Getenv("CI"))
	if err != nil {
		t.Fatal(err)
	}
	outputs, err := Outputs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range outputs {
		got, _ := os.ReadFile(path)
		if bytes.Equal(got, want) {
			continue
		}
		if rewrite {
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
