#!/bin/bash
# Captures scontrol's interactive mode: commands read from standard input
# (no command on the line), each echoed after the "scontrol: " prompt, the
# exit code of the last failure, exit/quit, an empty line and end of input.
# Each case shows its stdout, then its stderr, then the exit code.
cd /tmp/dcap
run() {
  echo "=== printf '$1' | scontrol $2"
  printf "$1" | scontrol $2 >/tmp/dcap/o 2>/tmp/dcap/e; rc=$?
  echo "--- stdout"; cat /tmp/dcap/o; echo "<EOF>"
  echo "--- stderr"; cat /tmp/dcap/e; echo "<EOF>"
  echo "rc=$rc"
}
run 'ping\n'
run 'show partition short\nping\n\nbogus\nshow job 99\nexit\nshow partition g2\n'
run 'show job 99\n'
run 'show job 99\nping\n'
run 'quit\n'
run ''
run 'ping' ''
run '  show   partition short  \n'
run 'ping\n' '-o'
run 'show partition short\n' '-o'
run 'ping\nquit\nping\n'
run 'show hostlist n1,n2,n3\n'
run 'help\n'
run 'version\n'
run 'show partition "short"\n'
run 'show partition short # note\n'
run 'oneliner\nshow partition short\n'
run 'details\nshow hostnames n[1-2]\nexit 3\n'
run 'quiet\nshow job 99\nverbose\nshow job 99\n'
# The session keywords and refusals on the command line.
for a in "bogus" "version" "oneliner" "details show job 99" "quiet" "exit" "quit" "exit 3" "help bogus"; do
  echo "=== scontrol $a"
  scontrol $a >/tmp/dcap/o 2>/tmp/dcap/e; rc=$?
  echo "--- stdout"; cat /tmp/dcap/o; echo "<EOF>"
  echo "--- stderr"; cat /tmp/dcap/e; echo "<EOF>"
  echo "rc=$rc"
done
