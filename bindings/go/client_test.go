package ductape

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"
)

func openTest(t testing.TB) *Client {
	t.Helper()
	c, err := Open(map[string]any{"workspace_dir": t.TempDir(), "debug_operations": true, "atlas_base_url": "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestCallsAnswerResultsAndTypedErrors(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	got, err := c.Call(ctx, "debug.echo", map[string]any{"value": []any{1, "é", nil}})
	if err != nil || fmt.Sprint(got) != "[1 é <nil>]" {
		t.Fatalf("echo: %v %v", got, err)
	}
	_, err = c.Call(ctx, "debug.error", map[string]any{"code": "not_found", "message": "gone", "field": "tag"})
	var e *Error
	if !errors.As(err, &e) || e.Code != "not_found" || e.Field != "tag" || e.Message != "gone" {
		t.Fatalf("typed error: %#v", err)
	}
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
		t.Fatalf("sentinels: %v", err)
	}
	_, err = c.Cloud.Connections.Validate(ctx, "nope")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("validate of an unknown tag: %v", err)
	}
	_, err = Open(map[string]any{"bogus": 1})
	if !errors.As(err, &e) || e.Code != "invalid_argument" || e.Field != "bogus" {
		t.Fatalf("open with bad options: %v", err)
	}
}

func TestTheModuleVersionIsTheNativeLibrarysVersion(t *testing.T) {
	if SDKVersion != Version() {
		t.Fatalf("SDKVersion %q, native library %q", SDKVersion, Version())
	}
}

func TestEveryErrorCodeHasASentinel(t *testing.T) {
	d, err := Describe()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, code := range errorCodes {
		have[code] = true
	}
	for _, raw := range d["error_codes"].([]any) {
		code := raw.(map[string]any)["code"].(string)
		if !have[code] {
			t.Errorf("the core has error code %s and the Go binding no sentinel: run cargo xtask codegen", code)
		}
		_, err := openTest(t).Call(context.Background(), "debug.error", map[string]any{"code": code, "message": "m"})
		if !errors.Is(err, sentinel(code)) {
			t.Errorf("%s: %v", code, err)
		}
	}
}

// The facade covers every operation of the linked library (ops_gen.go is generated from the
// core's registry by cargo xtask codegen).
func TestEveryOperationHasAFacadeMethod(t *testing.T) {
	d, err := Describe()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, raw := range d["operations"].([]any) {
		op := raw.(map[string]any)
		if debug, _ := op["debug_only"].(bool); !debug {
			want = append(want, op["name"].(string))
		}
	}
	got := append([]string(nil), generatedOperations...)
	sort.Strings(want)
	sort.Strings(got)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("facade methods for %v, the library has %v: run cargo xtask codegen", got, want)
	}
}

func TestAPanicIsAnErrorAndTheProcessLivesOn(t *testing.T) {
	c := openTest(t)
	for _, ctx := range []context.Context{context.Background(), context.WithValue(context.Background(), progressKey{}, nil)} {
		_, err := c.Call(ctx, "debug.panic", map[string]any{"message": "go test"})
		if !errors.Is(err, ErrInternal) {
			t.Fatalf("panic: %v", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := c.Call(ctx, "debug.panic", map[string]any{"message": "async"}); !errors.Is(err, ErrInternal) {
		t.Fatalf("async panic: %v", err)
	}
	if got, err := c.Call(ctx, "debug.echo", map[string]any{"value": 1}); err != nil || fmt.Sprint(got) != "1" {
		t.Fatalf("after the panics: %v %v", got, err)
	}
}

// longCall is a call of 100 s that reports progress every 10 ms: its first event says it is
// running inside the library.
var longCall = map[string]any{"steps": 10000, "delay_ms": 10}

// onFirstProgress answers ctx with a progress listener, and a channel closed at the call's first
// progress event.
func onFirstProgress(ctx context.Context) (context.Context, <-chan struct{}) {
	first := make(chan struct{})
	var once sync.Once
	return WithProgress(ctx, func(ProgressEvent) { once.Do(func() { close(first) }) }), first
}

func TestCancellingACallInFlightReturnsPromptly(t *testing.T) {
	c := openTest(t)
	before := AliveTasks()
	ctx, cancel := context.WithCancel(context.Background())
	ctx, running := onFirstProgress(ctx)
	cancelled := make(chan time.Time, 1)
	go func() {
		// Cancelled once the call is inside the operation, never on a timer.
		select {
		case <-running:
		case <-time.After(30 * time.Second):
		}
		cancelled <- time.Now()
		cancel()
	}()
	_, err := c.Call(ctx, "debug.progress", longCall)
	select {
	case <-running:
	default:
		t.Fatalf("the call to cancel never reported progress (not running when cancelled): %v", err)
	}
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrCancelled) {
		t.Fatalf("cancelled call: %v", err)
	}
	if took := time.Since(<-cancelled); took > time.Second {
		t.Fatalf("cancel took %v", took)
	}
	waitFor(t, func() bool { return AliveTasks() <= before }, "the cancelled Rust task to stop")

	// A deadline reaches Rust the same way: the call had reported progress before it.
	ctx, cancel2 := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel2()
	ctx, running = onFirstProgress(ctx)
	_, err = c.Call(ctx, "debug.progress", longCall)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline: %v", err)
	}
	select {
	case <-running:
	default:
		t.Fatal("the call to time out never reported progress (not running at its deadline)")
	}
	// An already cancelled context never starts the call.
	if _, err := c.Call(ctx, "debug.echo", map[string]any{"value": 1}); !errors.Is(err, ErrCancelled) {
		t.Fatalf("done context: %v", err)
	}
	// The workspace is consistent afterwards: it still answers, and a write still lands.
	if _, err := c.Cloud.Connections.Create(context.Background(), map[string]any{"provider": "mongodb_atlas", "name": "after_cancel"}); err != nil {
		t.Fatal(err)
	}
	list, err := c.Cloud.Connections.List(context.Background(), nil)
	if err != nil || len(list["connections"].([]any)) != 1 {
		t.Fatalf("list after cancel: %v %v", list, err)
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// 64 goroutines inside the library at the same time: debug.rendezvous answers only when all 64
// have arrived, so a binding that serialised calls would time out.
func Test64GoroutinesCallAtOnce(t *testing.T) {
	c := openTest(t)
	for _, mode := range []string{"blocking", "cancellable"} {
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := 0; i < 64; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := context.Background()
				if mode == "cancellable" {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
					defer cancel()
				}
				_, err := c.Call(ctx, "debug.rendezvous", map[string]any{"name": "go-" + mode, "parties": 64, "timeout_ms": 20000})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("%s: %v", mode, err)
			}
		}
	}
}

func TestProgressEventsArriveBeforeTheResult(t *testing.T) {
	c := openTest(t)
	var mu sync.Mutex
	var events []ProgressEvent
	ctx := WithProgress(context.Background(), func(e ProgressEvent) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	})
	got, err := c.Call(ctx, "debug.progress", map[string]any{"steps": 3})
	if err != nil || fmt.Sprint(got) != "map[reported:3]" {
		t.Fatalf("progress call: %v %v", got, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 3 || events[2].Done != 3 || events[2].Total == nil || *events[2].Total != 3 || events[0].Operation != "debug.progress" {
		t.Fatalf("events: %+v", events)
	}
}

// A panicking listener never crosses cgo (it would kill the process): it is dropped for the
// call, which completes.
func TestAPanickingProgressListenerIsDroppedAndTheCallCompletes(t *testing.T) {
	c := openTest(t)
	calls := 0
	ctx := WithProgress(context.Background(), func(ProgressEvent) {
		calls++
		panic("listener bug")
	})
	got, err := c.Call(ctx, "debug.progress", map[string]any{"steps": 3})
	if err != nil || fmt.Sprint(got) != "map[reported:3]" {
		t.Fatalf("the call must complete: %v %v", got, err)
	}
	if calls != 1 {
		t.Fatalf("the listener was called %d times after it panicked once", calls)
	}
}

func TestClosedClientRefusesCalls(t *testing.T) {
	c := openTest(t)
	c.Close()
	c.Close()
	if _, err := c.Call(context.Background(), "debug.echo", nil); !errors.Is(err, ErrFailedPrecondition) {
		t.Fatalf("closed: %v", err)
	}
	if Version() == "" {
		t.Fatal("no version")
	}
}

// The per-call cost of a local operation through cgo: the blocking path (context.Background)
// and the cancellable path (a context that can be cancelled: the library's runtime and a
// callback).
func BenchmarkEchoBlocking(b *testing.B) {
	c := openTest(b)
	ctx := context.Background()
	params := []byte(`{"value":1}`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.CallJSON(ctx, "debug.echo", params); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEchoCancellable(b *testing.B) {
	c := openTest(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	params := []byte(`{"value":1}`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.CallJSON(ctx, "debug.echo", params); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEchoParallel(b *testing.B) {
	c := openTest(b)
	params := []byte(`{"value":1}`)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.CallJSON(context.Background(), "debug.echo", params); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The cgo call alone, without decoding the envelope: what the binding adds to the C ABI's cost.
func BenchmarkEchoNativeOnly(b *testing.B) {
	c := openTest(b)
	op, params := []byte("debug.echo"), []byte(`{"value":1}`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if reply := nativeCall(c.handle.h, op, params); len(reply) == 0 {
			b.Fatal("no reply")
		}
	}
}
