// The quick start in Go (bindings/go/README.md): the product page's calls against the simulator
// that `ductape sim` starts, with the default seed's test key. Options come from the environment:
// MONGODB_ATLAS_BASE_URL and DUCTAPE_CLUSTER_CA_FILE (both printed by `ductape sim`) and
// DUCTAPE_WORKSPACE_DIR.
package main

import (
	"context"
	"fmt"
	"log"

	"ductape.dev/ductape"
)

func main() {
	ctx := context.Background()
	client, err := ductape.Open(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	connections := client.Cloud.Connections

	created, err := connections.Create(ctx, map[string]any{
		"provider": "mongodb_atlas", "name": "prod_atlas", "scopes": []string{"database"},
	})
	check(err)
	fmt.Println("create:", created["tag"], created["status"])
	completed, err := connections.Complete(ctx, "prod_atlas", map[string]any{
		"project_id":        "5c843ba379358e5b3dc2dec6",
		"atlas_public_key":  "awqxqtif",
		"atlas_private_key": "a0403a4f-0151-4922-ae89-523b69cd8e04", // the simulator's test key
	})
	check(err)
	fmt.Println("complete:", completed["tag"], completed["status"])
	validation, err := connections.Validate(ctx, "prod_atlas")
	check(err)
	fmt.Println("validate:", word(validation["valid"] == true, "valid", "invalid"), validation["account_identifier"])

	_, err = client.Products.Create(ctx, map[string]any{"name": "My Product", "tag": "my-product"})
	check(err)
	_, err = client.Products.Environments.Create(ctx, map[string]any{"product": "my-product", "slug": "prd"})
	check(err)
	imported, err := client.Cloud.Resources.Import(ctx, map[string]any{
		"cloud": "prod_atlas", "service": "atlas-cluster", "type": "databases",
		"product": "my-product", "component": "db-mongo", "env": "prd", "resource": "Cluster0",
		"connection_type": "standard", // the simulator's clusters have no SRV record
	})
	check(err)
	fmt.Println("import:", imported["database_user"], imported["connection_url_ref"], word(imported["verified"] == true, "verified", "not verified"))
	fmt.Println("ductape", ductape.SDKVersion)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func word(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}
