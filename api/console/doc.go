// Package console is fairtrail's web console for brands, auditors and suppliers: server-rendered pages over
// the same reads as the HTTP API (api.Reader), so that a page shows exactly what the same key reads through
// the API. A visitor signs in with an API key, which is exchanged for a server-side session held in a cookie
// that script cannot read; every form that changes state carries a CSRF token, and cross-site posts are
// refused. Templates, styles and charts are embedded in the binary and nothing is loaded from the network;
// pages are readable without JavaScript (there is none). Text goes through a message catalogue (messages.go).
package console
