#!/usr/bin/env bash
# Printed by `make run` before the hotline starts: how to place a first call and find what it left.
cat >&2 <<'TEXT'
Starting the hotline (SIP on udp/tcp 5060, HTTP API on http://127.0.0.1:8080, data in ./var).
Place a first call from another terminal:
    make call
  or, with SIPp by hand (a 10 s call, no audio from the caller):
    sipp -sn uac -m 1 -d 10000 -s 1900 -p 5062 127.0.0.1:5060
Then make yourself an API token (shown once) and see the call, its recording and the WAV file:
    TOKEN=$(bin/hotline token create --role admin --name "$USER")
    curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/v1/calls | python3 -m json.tool
    ls var/recordings/*/*/*/
Ctrl-C stops the hotline (calls in progress are hung up and their recordings finished).
TEXT
