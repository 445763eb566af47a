"""Writes a Go module into a GOPROXY directory (the file layout `go` reads with GOPROXY=file:///...):

    <proxy>/<module>/@v/list, <version>.info, <version>.mod, <version>.zip

The zip holds every file of the module directory under "<module>@<version>/", as the module proxy
protocol (go help goproxy) and golang.org/x/mod/zip lay it out; its time is the commit's, so two
runs on one commit give the same .info.

    python3 go_proxy.py MODULE_DIR MODULE_PATH VERSION PROXY_DIR
"""
import json
import os
import subprocess
import sys
import zipfile

# golang.org/x/mod/zip's limit for a whole module (unzipped).
MAX_MODULE_BYTES = 500 << 20


def module_files(root):
    for base, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(base, name)
            yield full, os.path.relpath(full, root).replace(os.sep, "/")


def main(module_dir, module_path, version, proxy_dir):
    at = os.path.join(proxy_dir, *module_path.split("/"), "@v")
    os.makedirs(at, exist_ok=True)
    files = list(module_files(module_dir))
    total = sum(os.path.getsize(full) for full, _ in files)
    if total > MAX_MODULE_BYTES:
        sys.exit(f"go_proxy: the module is {total} bytes, over Go's {MAX_MODULE_BYTES}")
    with zipfile.ZipFile(os.path.join(at, version + ".zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for full, rel in files:
            z.write(full, f"{module_path}@{version}/{rel}")
    with open(os.path.join(module_dir, "go.mod"), "rb") as src, open(os.path.join(at, version + ".mod"), "wb") as dst:
        dst.write(src.read())
    when = subprocess.run(["git", "log", "-1", "--format=%cI"], capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(at, version + ".info"), "w") as f:
        json.dump({"Version": version, "Time": when}, f)
    with open(os.path.join(at, "list"), "w") as f:
        f.write(version + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
