package models

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// recordViewFiles, recordViewStates, recordViewEmailObjections and
// recordViewPhoneObjections are recordViewSQL's four record[] columns, in
// PostgreSQL's binary format: each is ARRAY(SELECT ROW(…) …), one index scan
// and no aggregate, so the statement's executor start-up sets up four index
// scans instead of nested loops, Aggregates, sorts and a BitmapOr. Their
// rows come unordered: the order the page shows is set here.
const (
	recordViewFiles = 11 + iota
	recordViewStates
	recordViewEmailObjections
	recordViewPhoneObjections
	recordViewColumns
)

var errRecordViewWire = errors.New("models: record view: malformed array")

// recordViewArrays holds recordViewSQL's files, whose names are decrypted
// only once the view's event is committed.
type recordViewArrays struct {
	files []recordViewFile
}

type recordViewFile struct {
	id   uuid.UUID
	name []byte
	mime string
	size int64
	at   time.Time
}

// scan reads recordViewSQL's row into d and v: the record's columns through
// pgx, its three arrays straight from their binary form (pgx would plan a
// scan for every element). rows has at most one row; none is ErrNoRows.
func (v *recordViewArrays) scan(rows pgx.Rows, d *RecordDetail) error {
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	fds := rows.FieldDescriptions()
	if len(fds) != recordViewColumns {
		return errRecordViewWire
	}
	for _, fd := range fds[recordViewFiles:] {
		if fd.DataTypeOID != pgtype.RecordArrayOID || fd.Format != pgtype.BinaryFormatCode {
			return errRecordViewWire
		}
	}
	var id, subject pgtype.UUID
	r := &d.Record
	if err := rows.Scan(&id, &r.Purpose, &subject, &r.Status, &r.Fields, &r.Note, &r.Restricted, &r.Objected,
		&r.CreatedAt, &r.LastContactAt, &r.ExpiresAt, nil, nil, nil, nil); err != nil {
		return err
	}
	r.ID, r.SubjectID = id.Bytes, nil
	if subject.Valid {
		sub := uuid.UUID(subject.Bytes)
		r.SubjectID = &sub
	}
	raw := rows.RawValues()
	var f wireFields
	err := eachWireRecord(raw[recordViewFiles], 5, func(rec []wireField) error {
		var x recordViewFile
		f.uuid(rec[0], &x.id)
		x.name = bytes.Clone(f.field(rec[1], pgtype.ByteaOID))
		x.mime = string(f.field(rec[2], pgtype.TextOID))
		x.size = f.int8(rec[3])
		x.at = f.time(rec[4])
		v.files = append(v.files, x)
		return f.err
	})
	if err != nil {
		return err
	}
	// Oldest file first; the id settles two files stored at once.
	slices.SortFunc(v.files, func(a, b recordViewFile) int {
		return cmp.Or(a.at.Compare(b.at), bytes.Compare(a.id[:], b.id[:]))
	})
	err = eachWireRecord(raw[recordViewStates], 5, func(rec []wireField) error {
		d.Consents.States = append(d.Consents.States, ConsentState{Purpose: string(f.field(rec[0], pgtype.TextOID)),
			Kind: string(f.field(rec[1], pgtype.TextOID)), Granted: f.bool(rec[2]), Source: string(f.field(rec[3], pgtype.TextOID)),
			At: f.time(rec[4])})
		return f.err
	})
	if err != nil {
		return err
	}
	// One state per box (consent_state's key), by purpose then kind.
	slices.SortFunc(d.Consents.States, func(a, b ConsentState) int {
		return cmp.Or(cmp.Compare(a.Purpose, b.Purpose), cmp.Compare(a.Kind, b.Kind))
	})
	// Each channel's first objection, whether found by email or by phone
	// (one found by both is the same objection twice: the first still wins).
	d.Consents.Suppressed = map[string]time.Time{}
	objection := func(rec []wireField) error {
		ch, at := string(f.field(rec[0], pgtype.TextOID)), f.time(rec[1])
		if first, ok := d.Consents.Suppressed[ch]; !ok || at.Before(first) {
			d.Consents.Suppressed[ch] = at
		}
		return f.err
	}
	if err := eachWireRecord(raw[recordViewEmailObjections], 2, objection); err != nil {
		return err
	}
	return eachWireRecord(raw[recordViewPhoneObjections], 2, objection)
}

// eachWireRecord calls fn with the fields of each record of src, a
// one-dimensional record[] in binary form (NULL or empty for none), each
// record of n fields, none NULL, each with its type OID for wireFields to
// check.
func eachWireRecord(src []byte, n int, fn func(rec []wireField) error) error {
	if src == nil {
		return nil
	}
	var w wireReader
	w.b = src
	dims, _, elem := w.u32(), w.u32(), w.u32()
	if w.bad || dims > 1 || (dims == 1 && elem != pgtype.RecordOID) {
		return errRecordViewWire
	}
	if dims == 0 {
		return nil
	}
	count := w.u32()
	if w.u32(); w.bad { // the lower bound
		return errRecordViewWire
	}
	rec := make([]wireField, n)
	for range count {
		r := wireReader{b: w.value()}
		if w.bad || r.b == nil || r.u32() != uint32(n) { // #nosec G115 -- n is a small constant field count
			return errRecordViewWire
		}
		for i := range rec {
			rec[i].oid = r.u32()
			rec[i].v = r.value()
			if r.bad || rec[i].v == nil {
				return errRecordViewWire
			}
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	if len(w.b) != 0 {
		return errRecordViewWire
	}
	return nil
}

// wireReader reads big-endian lengths and values off b; bad records a
// short or malformed input, after which every read yields zero.
type wireReader struct {
	b   []byte
	bad bool
}

func (w *wireReader) u32() uint32 {
	if w.bad || len(w.b) < 4 {
		w.bad = true
		return 0
	}
	v := binary.BigEndian.Uint32(w.b)
	w.b = w.b[4:]
	return v
}

// value reads a length-prefixed value: nil for NULL (length -1).
func (w *wireReader) value() []byte {
	n := w.u32()
	if w.bad || n == math.MaxUint32 {
		return nil
	}
	if uint64(n) > uint64(len(w.b)) {
		w.bad = true
		return nil
	}
	v := w.b[:n:n]
	w.b = w.b[n:]
	return v
}

// wireField is one field of a record: its type's OID and its value.
type wireField struct {
	oid uint32
	v   []byte
}

// wireFields reads fields of the types expected, keeping the first error
// met (a field of another type is one).
type wireFields struct{ err error }

func (f *wireFields) field(b wireField, oid uint32) []byte {
	if b.oid != oid {
		f.err = errRecordViewWire
		return nil
	}
	return b.v
}

func (f *wireFields) uuid(b wireField, dst *uuid.UUID) {
	if v := f.field(b, pgtype.UUIDOID); len(v) == 16 {
		*dst = uuid.UUID(v)
	} else {
		f.err = errRecordViewWire
	}
}

func (f *wireFields) int8(b wireField) int64 {
	v := f.field(b, pgtype.Int8OID)
	if len(v) != 8 {
		f.err = errRecordViewWire
		return 0
	}
	return int64(binary.BigEndian.Uint64(v)) // #nosec G115 -- int8's two's-complement bits
}

func (f *wireFields) bool(b wireField) bool {
	v := f.field(b, pgtype.BoolOID)
	if len(v) != 1 {
		f.err = errRecordViewWire
		return false
	}
	return v[0] != 0
}

func (f *wireFields) time(b wireField) time.Time {
	t, ok := pgTime(f.field(b, pgtype.TimestamptzOID))
	if !ok {
		f.err = errRecordViewWire
	}
	return t
}
