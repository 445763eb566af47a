// The comparison client for BENCHMARKS.md items 1 and 2: MongoDB's Go SDK for the Atlas
// Administration API (go.mongodb.org/atlas-sdk) with its Digest transport
// (github.com/mongodb-forks/digest), used the way its README shows, against the simulator.
// bench/compare/run.py starts the simulator, runs this program and counts the requests in the
// simulator's log; this program only times its own work and prints one JSON line.
//
//	go run . -base http://127.0.0.1:PORT -mode calls -n 100      # n × ListClusters
//	go run . -base http://127.0.0.1:PORT -mode entries -n 200    # one POST per access-list entry
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"go.mongodb.org/atlas-sdk/v20250312020/admin"
)

func main() {
	base := flag.String("base", "", "the simulator's base URL")
	mode := flag.String("mode", "calls", "calls | entries")
	n := flag.Int("n", 100, "how many calls or entries")
	group := flag.String("group", "5c843ba379358e5b3dc2dec6", "project id")
	flag.Parse()
	// The default seed's Project Owner key (a simulator key, not a secret of anyone's).
	pub, priv := os.Getenv("ATLAS_PUBLIC_KEY"), os.Getenv("ATLAS_PRIVATE_KEY")
	ctx := context.Background()
	started := time.Now()
	client, err := admin.NewClient(admin.UseBaseURL(*base), admin.UseDigestAuth(pub, priv))
	if err != nil {
		fail(err)
	}
	ok := 0
	switch *mode {
	case "calls":
		for i := 0; i < *n; i++ {
			if _, _, err := client.ClustersApi.ListClusters(ctx, *group).Execute(); err != nil {
				fail(err)
			}
			ok++
		}
	case "entries":
		for i := 0; i < *n; i++ {
			ip := fmt.Sprintf("203.0.%d.%d", 113+i/250, 1+i%250)
			entry := []admin.NetworkPermissionEntry{{IpAddress: &ip}}
			if _, _, err := client.ProjectIPAccessListApi.CreateAccessListEntry(ctx, *group, &entry).Execute(); err != nil {
				fail(err)
			}
			ok++
		}
	default:
		fail(fmt.Errorf("unknown mode %q", *mode))
	}
	ms := float64(time.Since(started).Microseconds()) / 1000
	out, _ := json.Marshal(map[string]any{"client": "go atlas-sdk", "mode": *mode, "calls": ok, "ms": ms})
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "compare/go:", err)
	os.Exit(1)
}
