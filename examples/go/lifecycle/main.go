// The product page's calls in Go that the core has today: create -> complete -> validate ->
// fetch -> list (Cloud.Resources.Import joins them with the import issue; until then
// client.Call(ctx, "cloud.resources.import", ...) is how to reach it).
//
// Against the simulator by default (DUCTAPE_SIM_URL, with the default seed's keys); against real
// Atlas when MONGODB_ATLAS_PROJECT_ID and MONGODB_ATLAS_PUBLIC_API_KEY + MONGODB_ATLAS_PRIVATE_API_KEY
// (or MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET) are set. Secrets are never printed.
//
//	cd examples/go && go run ./lifecycle
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"ductape.dev/ductape"
)

// shown is a URL as printed: user info (up to the last '@') and the query may hold credentials.
func shown(url string) string {
	scheme, rest, found := strings.Cut(url, "://")
	if !found {
		scheme, rest = "", url
	} else {
		scheme += "://"
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = "[redacted]@" + rest[i+1:]
	}
	rest, _, _ = strings.Cut(rest, "?")
	rest, _, _ = strings.Cut(rest, "#")
	return scheme + rest
}

func settings() (baseURL string, creds map[string]any, where string) {
	env := os.Getenv
	if env("MONGODB_ATLAS_PROJECT_ID") != "" {
		creds = map[string]any{"project_id": env("MONGODB_ATLAS_PROJECT_ID")}
		if env("MONGODB_ATLAS_CLIENT_ID") != "" {
			creds["atlas_client_id"], creds["atlas_client_secret"] = env("MONGODB_ATLAS_CLIENT_ID"), env("MONGODB_ATLAS_CLIENT_SECRET")
		} else {
			creds["atlas_public_key"], creds["atlas_private_key"] = env("MONGODB_ATLAS_PUBLIC_API_KEY"), env("MONGODB_ATLAS_PRIVATE_API_KEY")
		}
		base := env("MONGODB_ATLAS_BASE_URL")
		shownBase := base
		if shownBase == "" {
			shownBase = "https://cloud.mongodb.com"
		}
		return base, creds, "Atlas at " + shown(shownBase) + " (MONGODB_ATLAS_* variables)"
	}
	sim := env("DUCTAPE_SIM_URL")
	if sim == "" {
		fmt.Fprintln(os.Stderr, "set DUCTAPE_SIM_URL (start `target/debug/atlas-sim --port 0`) or the MONGODB_ATLAS_* variables")
		os.Exit(2)
	}
	// The default seed's happy-path key (a test value only the simulator accepts).
	creds = map[string]any{"project_id": "5c843ba379358e5b3dc2dec6", "atlas_public_key": "awqxqtif",
		"atlas_private_key": "a0403a4f-0151-4922-ae89-523b69cd8e04"}
	return sim, creds, "the simulator at " + sim
}

func show(label string, value any) {
	text, _ := json.MarshalIndent(value, "", "  ")
	fmt.Printf("%s: %s\n", label, text)
}

func run(ctx context.Context, client *ductape.Client, tag string, creds map[string]any) error {
	conn, err := client.Cloud.Connections.Create(ctx, map[string]any{"provider": "mongodb_atlas", "name": tag, "scopes": []string{"database"}})
	if err != nil {
		return err
	}
	show("create", conn)
	completed, err := client.Cloud.Connections.Complete(ctx, tag, creds)
	if err != nil {
		return err
	}
	show("complete", completed)
	check, err := client.Cloud.Connections.Validate(ctx, tag)
	if err != nil {
		return err
	}
	show("validate", check)
	if valid, _ := check["valid"].(bool); !valid {
		return fmt.Errorf("validation failed: %v: %v", check["code"], check["message"])
	}
	fetched, err := client.Cloud.Connections.Fetch(ctx, tag)
	if err != nil {
		return err
	}
	show("fetch", fetched)
	list, err := client.Cloud.Connections.List(ctx, nil)
	if err != nil {
		return err
	}
	show("list", list)
	return nil
}

func main() {
	baseURL, creds, where := settings()
	fmt.Printf("Ductape Go example against %s\n", where)
	workspace := os.Getenv("DUCTAPE_WORKSPACE_DIR")
	if workspace == "" {
		workspace, _ = os.MkdirTemp("", "ductape-example-go-")
	}
	tag := os.Getenv("DUCTAPE_EXAMPLE_TAG")
	if tag == "" {
		tag = "prod_atlas"
	}
	options := map[string]any{"workspace_dir": workspace}
	if baseURL != "" {
		options["atlas_base_url"] = baseURL
	}
	client, err := ductape.Open(options)
	if err == nil {
		defer client.Close()
		// A deadline for the whole flow: it reaches the calls inside the library.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		err = run(ctx, client, tag, creds)
	}
	var derr *ductape.Error
	switch {
	case errors.As(err, &derr):
		field := ""
		if derr.Field != "" {
			field = " (field " + derr.Field + ")"
		}
		fmt.Fprintf(os.Stderr, "failed: %s: %s%s\n", derr.Code, derr.Message, field)
		os.Exit(1)
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
