#!/usr/bin/env bash
# Starts JDK 25's jshell with panama-sockets ready to use: the jar on the module path, native
# access enabled, and the public packages imported.
#
#   scripts/jshell.sh            # builds the jar first if it is missing or older than the sources
#
# Any further arguments go to jshell (for example a script file to run).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/find-jdk.sh"
find_jdk

jar=$(ls "$root"/target/panama-sockets-*.jar 2>/dev/null | grep -v -e '-sources' -e '-javadoc' | head -n 1 || true)
if [ -z "$jar" ] || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit)" ]; then
  echo "Building panama-sockets ..." >&2
  (cd "$root" && mvn -B -q package -DskipTests >&2)
  jar=$(ls "$root"/target/panama-sockets-*.jar | grep -v -e '-sources' -e '-javadoc' | head -n 1)
fi

startup=$(mktemp)
trap 'rm -f "$startup"' EXIT
cat > "$startup" <<'JSH'
import io.github.panamasockets.*;
import io.github.panamasockets.address.*;
JSH

exec "$JDK/bin/jshell" \
  --module-path "$jar" --add-modules io.github.panamasockets \
  -R--enable-native-access=io.github.panamasockets \
  --startup DEFAULT --startup "$startup" \
  "$@"
