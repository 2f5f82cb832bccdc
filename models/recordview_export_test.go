package models

// RecordViewSQL, SessionCheckSQL and RecordViewScopeSQL let the plan test
// explain the record view's two reads as the view runs them.
const RecordViewSQL, SessionCheckSQL, RecordViewScopeSQL = recordViewSQL, sessionCheckSQL, recordViewScopeSQL
