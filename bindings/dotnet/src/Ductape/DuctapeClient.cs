using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Ductape
{
    /// <summary>One progress event of a long operation (a network sync waiting for Atlas, an import).</summary>
    public sealed class ProgressEvent
    {
        public string Operation { get; internal set; }
        public string Step { get; internal set; }
        public long Done { get; internal set; }
        public long? Total { get; internal set; }
        public long ElapsedMs { get; internal set; }
        public string Message { get; internal set; }
    }

    /// <summary>
    /// A Ductape client: one open workspace, every operation of the Rust core.
    /// <code>
    /// using (var ductape = new DuctapeClient(new Dictionary&lt;string, object&gt; { ["workspace_dir"] = dir }))
    /// {
    ///     var conn = await ductape.Cloud.Connections.CreateAsync(new Dictionary&lt;string, object&gt; { ["provider"] = "mongodb_atlas" });
    /// }
    /// </code>
    /// Thread-safe: share one client between threads and tasks. Each async call runs as a blocking native
    /// call on a managed thread (the CallThreads scheduler, a Task.Run that starts threads at once where
    /// Mono's pool adds one per 500 ms), never through a native callback: Mono never exits once a native
    /// callback has arrived on a foreign thread. A <see cref="CancellationToken"/> cancels the call
    /// inside the library.
    /// </summary>
    public sealed partial class DuctapeClient : IDisposable
    {
        readonly ClientHandle handle;

        /// <summary>Opens a client from the core's options (null for every default).</summary>
        public DuctapeClient(IDictionary<string, object> options = null)
            : this(Json.Write(options ?? new Dictionary<string, object>()), true) { }

        DuctapeClient(string optionsJson, bool unused)
        {
            string error;
            IntPtr h = Native.Open(optionsJson, out error);
            if (h == IntPtr.Zero) throw ErrorOf(error);
            handle = new ClientHandle(h);
            InitNamespaces();
        }

        /// <summary>Opens a client from options as JSON text.</summary>
        public static DuctapeClient FromJson(string optionsJson) { return new DuctapeClient(optionsJson, true); }

        /// <summary>Closes the client once every running call on it has returned. Idempotent.</summary>
        public void Dispose() { handle.Dispose(); }

        /// <summary>Runs any operation by its registry name, blocking the calling thread; answers the decoded result.</summary>
        public object Call(string operation, object parameters = null)
        {
            return Decode(CallJson(operation, Json.Write(parameters), null, CancellationToken.None));
        }

        /// <summary>Runs any operation by its registry name ("cloud.resources.import" included, once the core has it).</summary>
        public Task<object> CallAsync(string operation, object parameters = null, IProgress<ProgressEvent> progress = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            string request = Json.Write(parameters);
            return CallThreads.Run(() => Decode(CallJson(operation, request, progress, cancellationToken)));
        }

        /// <summary>CallAsync for an operation whose reply is an object (every registry operation's is).</summary>
        public async Task<IDictionary<string, object>> ObjectAsync(string operation, object parameters,
            IProgress<ProgressEvent> progress = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            object result = await CallAsync(operation, parameters, progress, cancellationToken).ConfigureAwait(false);
            return result as IDictionary<string, object>;
        }

        /// <summary>
        /// The blocking call with the request as JSON text (sent verbatim: malformed text is the core's
        /// invalid_argument); answers the reply envelope's text. Cancellable calls and calls with progress
        /// take ductape_call_cancellable, the rest the plain ductape_call.
        /// </summary>
        public string CallJson(string operation, string requestJson, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
        {
            byte[] op = Native.Bytes(operation), request = Native.Bytes(requestJson ?? "null");
            if (cancellationToken.IsCancellationRequested) return CancelledEnvelope;
            if (!cancellationToken.CanBeCanceled && progress == null) return Native.Call(handle, op, request);
            ulong task = cancellationToken.CanBeCanceled ? Native.ductape_task_new() : 0;
            Native.ProgressFn listener = null;
            if (progress != null)
            {
                var guard = new ListenerGuard(progress);
                listener = (data, ptr, len) => guard.Report(Native.Lent(ptr, len));
            }
            using (cancellationToken.Register(() => Native.ductape_cancel(task)))
            {
                return Native.CallCancellable(handle, task, op, request, listener);
            }
        }

        const string CancelledEnvelope = "{\"ok\":false,\"error\":{\"code\":\"cancelled\",\"message\":\"the call was cancelled\"}}";

        /// <summary>
        /// One call's listener, under the policy every language follows (ductape.h): a listener that
        /// throws is dropped for that call, logged once, and the call goes on. Its exception never
        /// unwinds into the native library. One call's events arrive one at a time, on its thread.
        /// </summary>
        sealed class ListenerGuard
        {
            readonly IProgress<ProgressEvent> progress;
            bool dropped;

            internal ListenerGuard(IProgress<ProgressEvent> progress) { this.progress = progress; }

            internal void Report(string json)
            {
                if (dropped) return;
                var e = Json.Read(json) as IDictionary<string, object>;
                if (e == null) return;
                var ev = new ProgressEvent
                {
                    Operation = e["operation"] as string,
                    Step = e["step"] as string,
                    Done = Convert.ToInt64(e["done"]),
                    Total = e.ContainsKey("total") && e["total"] != null ? Convert.ToInt64(e["total"]) : (long?)null,
                    ElapsedMs = Convert.ToInt64(e["elapsed_ms"]),
                    Message = e.ContainsKey("message") ? e["message"] as string : null,
                };
                try
                {
                    progress.Report(ev);
                }
                catch (Exception ex)
                {
                    dropped = true;
                    System.Diagnostics.Trace.TraceWarning(
                        "ductape: a progress listener of {0} threw; no more events for this call: {1}", ev.Operation, ex.GetType().Name);
                }
            }
        }

        /// <summary>Decodes a reply envelope: the result, or the exception for its error's code.</summary>
        public static object Decode(string envelope)
        {
            var body = Json.Read(envelope) as IDictionary<string, object>;
            object ok, result, error, warnings;
            if (body == null || !body.TryGetValue("ok", out ok)) throw new InternalException("the library answered no envelope", null, null);
            if (body.TryGetValue("warnings", out warnings) && Warning != null)
            {
                foreach (var w in (IEnumerable<object>)warnings)
                {
                    var d = w as IDictionary<string, object>;
                    if (d != null) Warning(d["code"] as string, d["message"] as string);
                }
            }
            if (true.Equals(ok)) return body.TryGetValue("result", out result) ? result : null;
            body.TryGetValue("error", out error);
            var fields = error as IDictionary<string, object>;
            if (fields == null) throw new InternalException("an error envelope without an error", null, null);
            throw Errors.FromError(fields);
        }

        static DuctapeException ErrorOf(string envelope)
        {
            try { Decode(envelope); }
            catch (DuctapeException e) { return e; }
            return new InternalException("the library answered neither a client nor an error", null, null);
        }

        /// <summary>
        /// Receives every reply's warnings (code, message): today atlas_api_deprecated. Default: written
        /// to Console.Error. Set it to null to drop them.
        /// </summary>
        public static Action<string, string> Warning = (code, message) => Console.Error.WriteLine("ductape warning: " + code + ": " + message);

        /// <summary>The positional form {"tag", "params"} of Complete(tag, params) and Update(tag, params).</summary>
        internal static Dictionary<string, object> WithTag(string tag, IDictionary<string, object> parameters)
        {
            return new Dictionary<string, object> { { "tag", tag }, { "params", parameters ?? new Dictionary<string, object>() } };
        }

        /// <summary>The library's machine-readable description (docs/operations.json).</summary>
        public static IDictionary<string, object> Describe() { return (IDictionary<string, object>)Json.Read(Native.Describe()); }

        /// <summary>This assembly's version, the workspace's (scripts/check-versions.sh keeps the two equal;
        /// a test checks it against <see cref="NativeVersion"/>).</summary>
        public const string Version = "0.1.0";

        /// <summary>The native library's version.</summary>
        public static string NativeVersion { get { return Native.Version(); } }

        /// <summary>How many tasks are alive on the library's runtime (tests: a cancelled call's task stops).</summary>
        public static long AliveTasks() { return Native.ductape_debug_alive_tasks(); }
    }
}
