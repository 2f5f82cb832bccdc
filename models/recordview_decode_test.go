package models

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// wireArray encodes records as PostgreSQL sends a record[] in binary.
func wireArray(records [][]wireField) []byte {
	u32 := func(b []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(b, v) }
	b := u32(u32(u32(nil, 1), 0), pgtype.RecordOID)
	b = u32(u32(b, uint32(len(records))), 1) // #nosec G115 -- a test's few records
	for _, rec := range records {
		var r []byte
		r = u32(r, uint32(len(rec))) // #nosec G115 -- a test's few fields
		for _, f := range rec {
			r = u32(r, f.oid)
			if f.v == nil {
				r = u32(r, 0xFFFFFFFF)
				continue
			}
			r = append(u32(r, uint32(len(f.v))), f.v...) // #nosec G115 -- a test's short values
		}
		b = append(u32(b, uint32(len(r))), r...) // #nosec G115 -- a test's short records
	}
	return b
}

// The record view's arrays are read by hand from their binary form: a
// well-formed array reads back, and any malformed one (cut short, a field of
// another type, a NULL, another shape) is an error, never a panic or a
// wrong value.
func TestRecordViewWireRecords(t *testing.T) {
	at := time.Date(2026, 11, 30, 10, 0, 0, 123456000, time.UTC)
	micros := at.UnixMicro() - pgEpoch
	ts := binary.BigEndian.AppendUint64(nil, uint64(micros)) // #nosec G115 -- a positive test time
	good := wireArray([][]wireField{
		{{pgtype.TextOID, []byte("sms")}, {pgtype.TimestamptzOID, ts}},
		{{pgtype.TextOID, []byte("all")}, {pgtype.TimestamptzOID, ts}},
	})
	var got []string
	var f wireFields
	err := eachWireRecord(good, 2, func(rec []wireField) error {
		got = append(got, string(f.field(rec[0], pgtype.TextOID)))
		if !f.time(rec[1]).Equal(at) {
			t.Errorf("time %v, want %v", f.time(rec[1]), at)
		}
		return f.err
	})
	if err != nil || len(got) != 2 || got[0] != "sms" || got[1] != "all" {
		t.Fatalf("good array: %v %v", got, err)
	}
	empty := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 0), 0), pgtype.RecordOID)
	for _, src := range [][]byte{nil, empty} {
		if err := eachWireRecord(src, 2, func([]wireField) error { t.Error("a record in an empty array"); return nil }); err != nil {
			t.Errorf("empty array %x: %v", src, err)
		}
	}

	read := func(src []byte) error {
		var f wireFields
		return eachWireRecord(src, 2, func(rec []wireField) error {
			f.field(rec[0], pgtype.TextOID)
			f.time(rec[1])
			return f.err
		})
	}
	for n := 1; n < len(good); n++ {
		if err := read(good[:n]); !errors.Is(err, errRecordViewWire) {
			t.Errorf("cut at %d of %d: %v", n, len(good), err)
		}
	}
	if err := read(append(good[:len(good):len(good)], 0)); !errors.Is(err, errRecordViewWire) {
		t.Errorf("a trailing byte: %v", err)
	}
	infinity := binary.BigEndian.AppendUint64(nil, 1<<63-1)
	for name, rec := range map[string][]wireField{
		"another type": {{pgtype.ByteaOID, []byte("sms")}, {pgtype.TimestamptzOID, ts}},
		"a NULL":       {{pgtype.TextOID, []byte("sms")}, {pgtype.TimestamptzOID, nil}},
		"a short time": {{pgtype.TextOID, []byte("sms")}, {pgtype.TimestamptzOID, ts[:7]}},
		"infinity":     {{pgtype.TextOID, []byte("sms")}, {pgtype.TimestamptzOID, infinity}},
		"one field":    {{pgtype.TextOID, []byte("sms")}},
	} {
		if err := read(wireArray([][]wireField{rec})); !errors.Is(err, errRecordViewWire) {
			t.Errorf("%s: %v", name, err)
		}
	}
	twoDims := append([]byte(nil), good...)
	binary.BigEndian.PutUint32(twoDims, 2)
	if err := read(twoDims); !errors.Is(err, errRecordViewWire) {
		t.Errorf("two dimensions: %v", err)
	}
}
