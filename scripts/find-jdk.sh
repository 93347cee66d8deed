# Sourced by the other scripts: sets JDK to a JDK 25 home, or exits with a message saying one is
# needed. Looks at $JAVA_HOME, then java on PATH, then the usual install folders.
jdk_feature() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p'
}

find_jdk() {
  local candidate home
  for candidate in "${JAVA_HOME:-}" \
                   "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" \
                   /usr/lib/jvm/* "$HOME"/.jdks/* /opt/java/* /opt/jdk*; do
    home=${candidate%/}
    [ -n "$home" ] && [ -x "$home/bin/java" ] && [ -x "$home/bin/jshell" ] || continue
    if [ "$(jdk_feature "$home")" -ge 25 ] 2>/dev/null; then
      JDK=$home
      return 0
    fi
  done
  echo "error: JDK 25 or newer is required, and none was found in JAVA_HOME, on PATH or under /usr/lib/jvm." >&2
  echo "       Install one (for example Temurin 25) or set JAVA_HOME to it." >&2
  exit 1
}
