package models

// RequestIDKey is the key RequestIDFrom looks the request id up by, for a
// context type that carries the id itself (one value per request instead
// of a context.WithValue for each).
func RequestIDKey() any { return requestIDKey{} }
