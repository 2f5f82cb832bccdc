package models

// RecordViewSQL and SessionCheckSQL let the plan test explain the record
// view's two reads.
const RecordViewSQL, SessionCheckSQL = recordViewSQL, sessionCheckSQL
