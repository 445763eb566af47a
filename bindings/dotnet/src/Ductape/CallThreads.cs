using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Ductape
{
    /// <summary>
    /// The threads that run blocking native calls for the *Async methods. Mono 6.8's thread pool adds
    /// threads for blocked work about one per 500 ms whatever SetMinThreads says (64 blocked calls took
    /// over 20 s to start), so calls get threads of their own: an idle one when there is one, else a new
    /// one at once. Idle threads end after <see cref="IdleTimeout"/>. They are Mono's own (background)
    /// threads, so the library never calls back on a thread Mono does not know.
    /// </summary>
    internal sealed class CallThreads : TaskScheduler
    {
        internal static readonly CallThreads Instance = new CallThreads();
        static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

        readonly object gate = new object();
        readonly Queue<Task> queue = new Queue<Task>();
        int idle;

        protected override void QueueTask(Task task)
        {
            bool start;
            lock (gate)
            {
                queue.Enqueue(task);
                // More waiting calls than idle threads: a new thread, else wake an idle one.
                start = queue.Count > idle;
                if (!start) Monitor.Pulse(gate);
            }
            if (start) new Thread(Work) { IsBackground = true, Name = "ductape-call" }.Start();
        }

        void Work()
        {
            while (true)
            {
                Task task;
                lock (gate)
                {
                    while (queue.Count == 0)
                    {
                        idle++;
                        bool woken = Monitor.Wait(gate, IdleTimeout);
                        idle--;
                        if (!woken && queue.Count == 0) return;
                    }
                    task = queue.Dequeue();
                }
                TryExecuteTask(task);
            }
        }

        // A blocking native call never runs inline on the thread that asked for it (a UI thread, say).
        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) { return false; }

        protected override IEnumerable<Task> GetScheduledTasks()
        {
            lock (gate) return queue.ToArray();
        }

        /// <summary>Runs a blocking call on one of these threads.</summary>
        internal static Task<T> Run<T>(Func<T> call)
        {
            return Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.DenyChildAttach, Instance);
        }
    }
}
