#!/bin/sh
# Seeds corpus/<target>/ with the repository's test fixtures. Needs jq.
set -eu
cd "$(dirname "$0")"
root=..
mkdir -p corpus/decode_response corpus/decode_usersig corpus/webhook_query

# Response bodies, as the documentation shows them.
for file in "$root"/crates/im-protocol/tests/data/*response*.json "$root"/crates/im-protocol/tests/data/fail_*.json; do
    cp "$file" "corpus/decode_response/$(basename "$file")"
done

# UserSigs of the official libraries (mode byte 0, time 0), and their decoded documents
# (mode byte 2, time 0, compression level 6).
vectors="$root/crates/im-sig/tests/data/usersig.json"
n=0
for sig in $(jq -r '.vectors[] | .usersig, .usersig_alt_node, (.usersig_alt_stored // empty)' "$vectors"); do
    { printf '\000\000\000\000\000\000\000\000\000'; printf '%s' "$sig"; } > "corpus/decode_usersig/sig-$n"
    n=$((n + 1))
done
n=0
jq -c '.vectors[].decoded' "$vectors" | while IFS= read -r doc; do
    { printf '\002\000\000\000\000\000\000\000\000\006'; printf '%s' "$doc"; } > "corpus/decode_usersig/doc-$n"
    n=$((n + 1))
done

# Callback queries followed by a NUL byte and a documented body.
query='SdkAppid=1400000000&CallbackCommand=%s&contenttype=json&ClientIP=127.0.0.1&OptPlatform=RESTAPI'
for pair in blocklist-add:Sns.CallbackBlackListAdd blocklist-delete:Sns.CallbackBlackListDelete state-change:State.StateChange; do
    name=${pair%%:*}
    command=${pair#*:}
    { printf "$query" "$command"; printf '\000'; cat "$root/crates/im-webhook/tests/data/$name.json"; } > "corpus/webhook_query/$name"
done
echo "seeded: $(ls corpus/decode_response | wc -l) responses, $(ls corpus/decode_usersig | wc -l) UserSigs, $(ls corpus/webhook_query | wc -l) callbacks"
