using System;
using System.Collections.Generic;

namespace Ductape
{
    /// <summary>
    /// Every failure the core reports: a stable <see cref="Code"/>, the request <see cref="Field"/> it
    /// concerns (null when none) and optional <see cref="Details"/>. Each code has its own subclass
    /// (<c>NotFoundException</c>, <c>InvalidArgumentException</c>, ...; Operations.g.cs), so
    /// <c>catch (NotFoundException)</c> works; a code newer than this build arrives as DuctapeException.
    /// </summary>
    public class DuctapeException : Exception
    {
        public string Code { get; private set; }
        public string Field { get; private set; }
        public IDictionary<string, object> Details { get; private set; }
        /// <summary>The core's message alone, without the code and field that <see cref="Exception.Message"/> adds.</summary>
        public string CoreMessage { get; private set; }

        public DuctapeException(string code, string message, string field, IDictionary<string, object> details)
            : base(code + ": " + message + (field != null ? " (field " + field + ")" : ""))
        {
            Code = code;
            CoreMessage = message;
            Field = field;
            Details = details;
        }
    }

    public static partial class Errors
    {
        /// <summary>The exception for an error object of the envelope, <c>{"code","message","field"?,"details"?}</c>.</summary>
        public static DuctapeException FromError(IDictionary<string, object> error)
        {
            object code, message, field, details;
            error.TryGetValue("code", out code);
            error.TryGetValue("message", out message);
            error.TryGetValue("field", out field);
            error.TryGetValue("details", out details);
            return Create(code as string ?? "internal", message as string ?? "", field as string, details as IDictionary<string, object>);
        }

        /// <summary>The exception class for a code (for tests and callers that map codes themselves).</summary>
        public static Type ClassOf(string code)
        {
            return Create(code, "", null, null).GetType();
        }
    }
}
