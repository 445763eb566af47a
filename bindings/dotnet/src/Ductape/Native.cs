using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Ductape
{
    /// <summary>
    /// The <c>ductape_*</c> C ABI (bindings/ffi/include/ductape.h) through DllImport: UTF-8
    /// <c>byte[]</c> in, <c>IntPtr</c> replies decoded here and freed with ductape_reply_free
    /// (netstandard2.0 has no Marshal.PtrToStringUTF8). Only this class touches native memory.
    /// </summary>
    internal static class Native
    {
        const string Lib = "ductape_ffi";

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate void ProgressFn(IntPtr userData, IntPtr eventJson, UIntPtr eventLen);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        static extern IntPtr ductape_open(byte[] options, UIntPtr optionsLen, out IntPtr error, out UIntPtr errorLen);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void ductape_close(IntPtr handle);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        static extern IntPtr ductape_call(ClientHandle handle, byte[] op, UIntPtr opLen, byte[] parameters, UIntPtr parametersLen, out UIntPtr replyLen);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        static extern IntPtr ductape_call_cancellable(ClientHandle handle, ulong taskId, byte[] op, UIntPtr opLen,
            byte[] parameters, UIntPtr parametersLen, ProgressFn onProgress, IntPtr userData, out UIntPtr replyLen);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern ulong ductape_task_new();

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        [return: MarshalAs(UnmanagedType.I1)]
        internal static extern bool ductape_cancel(ulong taskId);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        static extern void ductape_reply_free(IntPtr reply, UIntPtr len);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        static extern IntPtr ductape_describe(out UIntPtr len);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        static extern IntPtr ductape_version();

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern long ductape_debug_alive_tasks();

        static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, true);

        internal static byte[] Bytes(string s) { return Utf8.GetBytes(s); }

        /// <summary>Copies a reply into a string and frees it (exactly once, with its length).</summary>
        static string Take(IntPtr ptr, UIntPtr len)
        {
            if (ptr == IntPtr.Zero) return null;
            try { return Lent(ptr, len); }
            finally { ductape_reply_free(ptr, len); }
        }

        /// <summary>Decodes a buffer the library lends (a progress event): not freed here.</summary>
        internal static string Lent(IntPtr ptr, UIntPtr len)
        {
            int n = checked((int)len.ToUInt64());
            var bytes = new byte[n];
            Marshal.Copy(ptr, bytes, 0, n);
            return Utf8.GetString(bytes);
        }

        /// <summary>A handle, or IntPtr.Zero and the error envelope.</summary>
        internal static IntPtr Open(string options, out string errorEnvelope)
        {
            var b = Bytes(options);
            IntPtr error;
            UIntPtr errorLen;
            IntPtr h = ductape_open(b, (UIntPtr)b.Length, out error, out errorLen);
            errorEnvelope = h == IntPtr.Zero ? Take(error, errorLen) : null;
            return h;
        }

        internal static string Call(ClientHandle h, byte[] op, byte[] parameters)
        {
            UIntPtr len;
            IntPtr reply = ductape_call(h, op, (UIntPtr)op.Length, parameters, (UIntPtr)parameters.Length, out len);
            return Take(reply, len);
        }

        internal static string CallCancellable(ClientHandle h, ulong taskId, byte[] op, byte[] parameters, ProgressFn onProgress)
        {
            UIntPtr len;
            IntPtr reply = ductape_call_cancellable(h, taskId, op, (UIntPtr)op.Length, parameters, (UIntPtr)parameters.Length,
                onProgress, IntPtr.Zero, out len);
            GC.KeepAlive(onProgress); // the library calls it until the call returns
            return Take(reply, len);
        }

        internal static string Describe()
        {
            UIntPtr len;
            IntPtr p = ductape_describe(out len);
            return Take(p, len);
        }

        /// <summary>The static NUL-terminated version string (never freed).</summary>
        internal static string Version()
        {
            IntPtr p = ductape_version();
            int n = 0;
            while (Marshal.ReadByte(p, n) != 0) n++;
            return Lent(p, (UIntPtr)n);
        }
    }

    /// <summary>
    /// An open client handle. SafeHandle counts the native calls using it, so Dispose while a call
    /// runs on another thread closes the handle only after that call has returned.
    /// </summary>
    internal sealed class ClientHandle : SafeHandle
    {
        internal ClientHandle(IntPtr h) : base(IntPtr.Zero, true) { SetHandle(h); }

        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }

        protected override bool ReleaseHandle()
        {
            Native.ductape_close(handle);
            return true;
        }
    }
}
