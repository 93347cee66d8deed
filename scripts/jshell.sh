#!/usr/bin/env bash
# Starts JDK 25's jshell with panama-sockets ready to use: the jar on the module path, native
# access enabled for it in the VM that runs your snippets, and both public packages imported
# (io.github.panamasockets.* and io.github.panamasockets.address.*) after jshell's DEFAULT
# startup (java.io.*, java.net.*, java.util.* ...).
#
#   scripts/jshell.sh                       # interactive
#   printf 'Sock.pair(SockType.DGRAM)\n/exit\n' | scripts/jshell.sh
#   scripts/jshell.sh my-session.jsh        # further arguments go to jshell
#
# It builds the jar first (mvn -q -DskipTests package) when it is missing or older than the
# sources. The build goes to $BUILD_DIR, target/ by default, as with mvn -DbuildDir=...
# jshell comes from a JDK 25 (see find-jdk.sh), never from PATH, which may hold an older JDK.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/target}
module=io.github.panamasockets
source "$root/scripts/find-jdk.sh"
find_jdk

library_jar() {
  ls "$build"/panama-sockets-*.jar 2>/dev/null | grep -v -e '-sources\.jar$' -e '-javadoc\.jar$' | head -n 1 || true
}

jar=$(library_jar)
if [ -z "$jar" ] || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit)" ]; then
  echo "Building panama-sockets into $build ..." >&2
  (cd "$root" && mvn -B -q -DskipTests -Dmaven.javadoc.skip=true -DbuildDir="$build" package >&2)
  jar=$(library_jar)
  [ -n "$jar" ] || { echo "error: the build left no jar in $build" >&2; exit 1; }
fi

# The imports, as a startup file beside the jar (jshell reads it when it starts).
startup=$build/jshell-startup.jsh
printf '%s\n' "import $module.*;" "import $module.address.*;" > "$startup"

exec "$JDK/bin/jshell" \
  --module-path "$jar" --add-modules "$module" \
  -R--enable-native-access="$module" \
  --startup DEFAULT --startup "$startup" \
  "$@"
