// Command ductape-facadegen writes the Go facade (ops_gen.go) and the .NET facade
// (../dotnet/src/Ductape/Operations.g.cs) from ../../docs/operations.json. Run it from
// bindings/go after the registry changed (docs/operations.json regenerated):
//
//	go run ./cmd/ductape-facadegen
package main

import (
	"log"

	"ductape.dev/ductape/internal/facadegen"
)

func main() {
	if err := facadegen.WriteAll("."); err != nil {
		log.Fatal(err)
	}
}
