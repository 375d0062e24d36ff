# lutetia with no verb, an unknown verb, help and version.
. "$SRC/tests/cli/lib.sh"
expect_exit 0 -- "$LUTETIA" version
expect_out '^lutetia [0-9]+\.[0-9]+\.[0-9]+$'
expect_exit 2 -- "$LUTETIA"
expect_err 'usage: lutetia VERB'
expect_exit 2 -- "$LUTETIA" frobnicate
expect_err "unknown verb 'frobnicate'"
expect_exit 0 -- "$LUTETIA" help
expect_out 'version'
finish
