package ductape

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"
)

// The per-call cost of two local operations through the Go binding, for scripts/bench-bindings.sh
// (BENCHMARKS.md section 4): debug.echo of a small value and cloud.connections.fetch of one
// connection created in the test's temporary workspace (no network).
//
//	go test -run '^$' -bench 'BenchmarkCall(Latency|Threads)' -benchtime 20000x .
//
// BenchmarkCallLatency times every call on its own and reports the median and p99 (µs) besides
// the mean (ns/op); BenchmarkCallThreads runs b.N calls split over 1 or 8 goroutines and reports
// calls/s. "call" is Client.Call (params encoded with encoding/json, envelope decoded); "cgo" is
// the cgo call alone (JSON text in and out), the binding's floor.

var benchOps = []struct {
	op     string
	params map[string]any
	json   []byte
}{
	{"debug.echo", map[string]any{"value": map[string]any{"a": 1, "b": "two"}}, []byte(`{"value":{"a":1,"b":"two"}}`)},
	{"cloud.connections.fetch", map[string]any{"tag": "bench"}, []byte(`{"tag":"bench"}`)},
}

func benchClient(b *testing.B) *Client {
	c := openTest(b)
	if _, err := c.Call(context.Background(), "cloud.connections.create", map[string]any{"provider": "mongodb_atlas", "name": "bench"}); err != nil {
		b.Fatal(err)
	}
	return c
}

// benchCall answers the two APIs' one call for an operation (failing the benchmark on an error).
func benchCall(b *testing.B, c *Client, api string, i int) func() {
	o := benchOps[i]
	op := []byte(o.op)
	if api == "cgo" {
		return func() {
			if reply := nativeCall(c.handle.h, op, o.json); len(reply) == 0 {
				b.Error("no reply")
			}
		}
	}
	ctx := context.Background()
	return func() {
		if _, err := c.Call(ctx, o.op, o.params); err != nil {
			b.Error(err)
		}
	}
}

func BenchmarkCallLatency(b *testing.B) {
	for i, o := range benchOps {
		for _, api := range []string{"call", "cgo"} {
			b.Run(api+"/"+o.op, func(b *testing.B) {
				call := benchCall(b, benchClient(b), api, i)
				for j := 0; j < 2000; j++ {
					call()
				}
				samples := make([]time.Duration, b.N)
				b.ResetTimer()
				for j := range samples {
					t := time.Now()
					call()
					samples[j] = time.Since(t)
				}
				b.StopTimer()
				sort.Slice(samples, func(x, y int) bool { return samples[x] < samples[y] })
				us := func(q float64) float64 { return float64(samples[int(q*float64(len(samples)-1))].Nanoseconds()) / 1000 }
				b.ReportMetric(us(0.5), "p50-µs")
				b.ReportMetric(us(0.99), "p99-µs")
			})
		}
	}
}

func BenchmarkCallThreads(b *testing.B) {
	for i, o := range benchOps {
		for _, api := range []string{"call", "cgo"} {
			for _, threads := range []int{1, 8} {
				b.Run(fmt.Sprintf("%s/%s/threads=%d", api, o.op, threads), func(b *testing.B) {
					call := benchCall(b, benchClient(b), api, i)
					var wg sync.WaitGroup
					b.ResetTimer()
					start := time.Now()
					for g := 0; g < threads; g++ {
						n := b.N / threads
						if g < b.N%threads {
							n++
						}
						wg.Add(1)
						go func() {
							defer wg.Done()
							for j := 0; j < n; j++ {
								call()
							}
						}()
					}
					wg.Wait()
					b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
				})
			}
		}
	}
}

// BenchmarkDecodeEnvelope: decodeEnvelope alone (no cgo) on each operation's real reply, the part
// of Client.Call that the "call" rows spend over the "cgo" rows in BenchmarkCallLatency.
//
//	go test -run '^$' -bench BenchmarkDecodeEnvelope .
func BenchmarkDecodeEnvelope(b *testing.B) {
	c := benchClient(b)
	for _, o := range benchOps {
		reply := nativeCall(c.handle.h, []byte(o.op), o.json)
		b.Run(o.op, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := decodeEnvelope(reply); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
