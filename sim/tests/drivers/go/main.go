// The data-plane checks with the official Go driver (go.mongodb.org/mongo-driver/v2); see ../README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var failed = 0

func check(name string, ok bool, why any) {
	if ok {
		fmt.Println("PASS go: " + name)
	} else {
		fmt.Printf("FAIL go: %s: %v\n", name, why)
		failed++
	}
}

// client connects with the CA file in the connection string, as a local application would.
func client(uri, user, password string, timeout time.Duration) (*mongo.Client, error) {
	sep := "&"
	if !strings.Contains(uri, "?") {
		sep = "/?"
	}
	opts := options.Client().
		ApplyURI(uri + sep + "tlsCAFile=" + os.Getenv("CA_FILE")).
		SetAuth(options.Credential{Username: user, Password: password, AuthSource: "admin"}).
		SetServerSelectionTimeout(timeout).
		SetConnectTimeout(timeout)
	return mongo.Connect(opts)
}

func ping(uri, user, password string, timeout time.Duration) error {
	c, err := client(uri, user, password, timeout)
	if err != nil {
		return err
	}
	defer c.Disconnect(context.Background())
	return c.Ping(context.Background(), nil)
}

func isAuthError(err error) bool {
	return err != nil && strings.Contains(err.Error(), "auth error") && strings.Contains(err.Error(), "AuthenticationFailed")
}

func authFails(name, user, password string) {
	err := ping(os.Getenv("URI_RS"), user, password, 5*time.Second)
	check(name+" fails authentication", isAuthError(err), err)
}

// imported pings with each string cloud.resources.import stored (IMPORTED_URIS: name=uri ...),
// its credentials inside it; the strings are never printed.
func imported() {
	for _, pair := range strings.Fields(os.Getenv("IMPORTED_URIS")) {
		name, uri, _ := strings.Cut(pair, "=")
		opts := options.Client().ApplyURI(uri + "&tlsCAFile=" + os.Getenv("CA_FILE")).SetServerSelectionTimeout(10 * time.Second)
		c, err := mongo.Connect(opts)
		if err == nil {
			err = c.Ping(context.Background(), nil)
			c.Disconnect(context.Background())
		}
		check("the string imported for "+name+" pings", err == nil, err)
	}
}

func main() {
	if os.Getenv("IMPORTED_URIS") != "" {
		imported()
		if failed > 0 {
			os.Exit(1)
		}
		return
	}
	pw := os.Getenv("PASSWORD")
	coll := os.Getenv("COLL")
	ctx := context.Background()
	err := ping(os.Getenv("URI_RS"), "app-rw", pw, 5*time.Second)
	check("read-write user pings the replica set", err == nil, err)
	err = ping(os.Getenv("URI_SHARDED"), "app-rw", pw, 5*time.Second)
	check("read-write user pings the mongos routers", err == nil, err)
	authFails("wrong password", "app-rw", "not-the-password")
	authFails("user scoped to another cluster", "app-scoped", pw)
	authFails("deleted user", "app-deleted", pw)
	authFails("user before APPLIED", "app-pending", pw)
	authFails("expired user", "app-expired", pw)
	err = ping(os.Getenv("URI_PAUSED"), "app-rw", pw, 1500*time.Millisecond)
	// A topology.ServerSelectionError: the driver found no server to talk to.
	check("paused cluster fails to connect", err != nil && strings.Contains(err.Error(), "server selection error"), err)

	rw, err := client(os.Getenv("URI_RS"), "app-rw", pw, 5*time.Second)
	if err != nil {
		check("read-write client", false, err)
		os.Exit(1)
	}
	defer rw.Disconnect(ctx)
	c := rw.Database("app").Collection(coll)
	_, err = c.InsertOne(ctx, bson.D{{Key: "driver", Value: "go"}, {Key: "n", Value: 1}})
	check("read-write user inserts", err == nil, err)
	var got bson.M
	err = c.FindOne(ctx, bson.D{{Key: "driver", Value: "go"}}).Decode(&got)
	check("read-write user finds", err == nil && got["n"] == int32(1), fmt.Sprint(err, got))

	ro, err := client(os.Getenv("URI_RS"), "app-ro", pw, 5*time.Second)
	if err != nil {
		check("read-only client", false, err)
		os.Exit(1)
	}
	defer ro.Disconnect(ctx)
	rc := ro.Database("app").Collection(coll)
	cur, err := rc.Find(ctx, bson.D{{Key: "n", Value: 1}})
	var all []bson.M
	if err == nil {
		err = cur.All(ctx, &all)
	}
	check("read-only user finds", err == nil && len(all) == 1, fmt.Sprint(err, all))
	_, err = rc.InsertOne(ctx, bson.D{{Key: "driver", Value: "go"}, {Key: "n", Value: 2}})
	var se mongo.ServerError
	check("read-only user cannot insert (Unauthorized)", errors.As(err, &se) && se.HasErrorCode(13), err)
	if failed > 0 {
		os.Exit(1)
	}
}
