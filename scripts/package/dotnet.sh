#!/usr/bin/env bash
# The .NET package, built without a .NET SDK (there is none on the project's machines): Mono's mcs
# compiles the same C# 7.2 sources that src/Ductape/Ductape.csproj builds for netstandard2.0, and
# Mono's nuget (NuGet.exe) packs them with the native library:
#
#   lib/netstandard2.0/Ductape.dll (+ Ductape.xml, the documentation)
#   runtimes/linux-x64/native/libductape_ffi.so     (found by .NET on linux-x64; Mono: LD_LIBRARY_PATH)
#
# mcs compiles against Mono's framework assemblies, so Ductape.dll references mscorlib 4.0.0.0,
# System and System.Core rather than netstandard.dll. .NET Framework 4.6.1+ and Mono load it as
# is; .NET Core 2.0+ and .NET 5+ load it through their mscorlib/System/System.Core facades. The
# sources use only APIs inside netstandard2.0 (the csproj checks that when a .NET SDK builds it:
# `dotnet pack -c Release bindings/dotnet/src/Ductape` gives the same package with a netstandard
# reference).
#
#   bash scripts/package/dotnet.sh VERSION LIBDUCTAPE_FFI_SO WORK_DIR OUT_DIR
set -euo pipefail
VERSION=$1 LIB=$2 WORK=$3 OUT=$4
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
if ! command -v mcs > /dev/null || ! command -v mono > /dev/null || ! command -v nuget > /dev/null; then
  echo "installing Mono and NuGet (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q > /dev/null
  apt-get install -y -q --no-install-recommends mono-mcs mono-runtime libmono-system4.0-cil \
    libmono-system-core4.0-cil nuget > /dev/null
fi
STAGE="$WORK/stage"
rm -rf "$STAGE"
mkdir -p "$STAGE/lib/netstandard2.0" "$STAGE/runtimes/linux-x64/native" "$OUT"
mcs -langversion:7.2 -warnaserror+ -nowarn:1591 -debug- -optimize+ -target:library \
  -out:"$STAGE/lib/netstandard2.0/Ductape.dll" -doc:"$STAGE/lib/netstandard2.0/Ductape.xml" \
  "$REPO"/bindings/dotnet/src/Ductape/*.cs
cp "$LIB" "$STAGE/runtimes/linux-x64/native/libductape_ffi.so"
cp "$REPO/LICENSE" "$REPO/bindings/dotnet/README.md" "$STAGE/"
cat > "$STAGE/Ductape.nuspec" <<NUSPEC
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>Ductape</id>
    <version>$VERSION</version>
    <authors>Ductape</authors>
    <description>Ductape cloud connections for MongoDB Atlas: every operation of the Ductape core from .NET, through its C ABI (libductape_ffi, linux-x64).</description>
    <licenseUrl>https://www.apache.org/licenses/LICENSE-2.0</licenseUrl>
    <tags>mongodb atlas ductape</tags>
  </metadata>
  <files>
    <file src="lib/netstandard2.0/*" target="lib/netstandard2.0" />
    <file src="runtimes/linux-x64/native/*" target="runtimes/linux-x64/native" />
    <file src="LICENSE" />
    <file src="README.md" />
  </files>
</package>
NUSPEC
# NuGet.exe 2.8 (Debian's) knows the nuspec schema of 2013, before <license>: hence <licenseUrl>,
# which today's NuGet still reads (its pack only warns, NU5125), and no <dependencies> group: 2.8
# would write ".NETStandard2.0" as "Unsupported0.0"; with none, NuGet takes the frameworks from
# lib/netstandard2.0/ (the package has no dependencies). The package is the usual OPC zip:
# the .nuspec, [Content_Types].xml, _rels/ and package/services/metadata/.
(cd "$STAGE" && nuget pack Ductape.nuspec -NoPackageAnalysis -NonInteractive -OutputDirectory "$OUT" > "$WORK/nuget-pack.log" 2>&1) \
  || { cat "$WORK/nuget-pack.log"; exit 1; }
ls "$OUT/Ductape.$VERSION.nupkg" > /dev/null
