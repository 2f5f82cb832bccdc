package models

// DigestOf exposes the event digest to the external tests that play a
// superuser recomputing a rewritten chain.
func DigestOf(e AccessEvent) []byte { return e.digest() }

// AudienceSQL and AudienceCountSQL let the audience benchmark explain the
// queries it times.
const AudienceSQL, AudienceCountSQL = audienceSQL, audienceCountSQL
