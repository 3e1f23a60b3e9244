#!/usr/bin/env bash
# A `virsh -q` session as the real one behaves on a pipe (test/fixtures/virsh/session-*): every command is echoed
# after a `virsh # ` prompt on stdout; `echo --err ARGS` prints `error: ARGS` on stderr; `echo ARGS` prints ARGS with
# no newline; single quotes are removed. Commands of the fake:
#   domstats ...   prints the file named by FAKE_VIRSH_DOMSTATS
#   fail           prints `error: failed to get domain 'x'` on stderr
#   hang           never answers (nor anything after it)
#   die            exits with code 3
# Each line typed is appended to the file FAKE_VIRSH_LOG, after this session's pid. Arguments (-q -c URI) are ignored.
printf 'virsh # '
while IFS= read -r line; do
  [ -n "${FAKE_VIRSH_LOG:-}" ] && printf '%s %s\n' "$$" "$line" >>"$FAKE_VIRSH_LOG"
  printf '%s\n' "$line"
  read -r -a w <<<"$line"
  case "${w[0]:-}" in
  echo)
    if [ "${w[1]:-}" = --err ]; then
      printf 'error: %s\n' "${line#echo --err }" | tr -d "'" >&2
    else
      printf '%s' "${line#echo }" | tr -d "'"
    fi
    ;;
  domstats) cat "${FAKE_VIRSH_DOMSTATS:-/dev/null}" ;;
  fail) printf "error: failed to get domain 'x'\n" >&2 ;;
  hang) exec sleep 3600 ;;
  die) exit 3 ;;
  esac
  printf 'virsh # '
done
