package models

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// insertConsentsName names insertConsents, prepared once per connection.
const insertConsentsName = "portal_cookie_consents_insert"

// insertConsentsParams are the types of insertConsents' parameters, in order.
var insertConsentsParams = []uint32{pgtype.UUIDArrayOID, pgtype.TextArrayOID, pgtype.TextArrayOID, pgtype.TextArrayOID,
	pgtype.TextArrayOID, pgtype.ByteaArrayOID, pgtype.TimestamptzArrayOID, pgtype.TextArrayOID}

// binaryFormat: every parameter and result column in PostgreSQL's binary format.
var binaryFormat = []int16{pgtype.BinaryFormatCode}

// insertRows runs insertConsents for batch and returns the keyed rows it
// wrote: key → ledger id. It writes the eight arrays in PostgreSQL's binary
// format itself and sends them to the statement prepared on the connection,
// rather than through pgx's Query: pgx looks up and runs an encoding plan
// for every array and element, a twentieth of a banner answer's CPU, for
// types that never change here. TestCookieLedgerWireFormat holds what is
// stored to what pgx stores.
func (l *CookieLedger) insertRows(ctx context.Context, batch []*CookieConsent) (map[uuid.UUID]int64, error) {
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	sd, err := conn.Conn().Prepare(ctx, insertConsentsName, insertConsents)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(sd.ParamOIDs, insertConsentsParams) {
		return nil, fmt.Errorf("insert statement takes %v, not %v", sd.ParamOIDs, insertConsentsParams)
	}
	params := encodeConsentBatch(batch)
	rr := conn.Conn().PgConn().ExecPrepared(ctx, sd.Name, params, binaryFormat, binaryFormat)
	var written map[uuid.UUID]int64 // stays nil for a batch without keys
	for rr.NextRow() {
		v := rr.Values()
		if len(v) != 2 || len(v[0]) != 8 {
			_, _ = rr.Close()
			return nil, errors.New("unexpected row from insert")
		}
		if v[1] == nil {
			continue
		}
		key, err := uuid.FromBytes(v[1])
		if err != nil {
			_, _ = rr.Close()
			return nil, err
		}
		if written == nil {
			written = make(map[uuid.UUID]int64, len(batch))
		}
		var proof int64
		if _, err := binary.Decode(v[0], binary.BigEndian, &proof); err != nil {
			_, _ = rr.Close()
			return nil, err
		}
		written[key] = proof
	}
	if _, err := rr.Close(); err != nil {
		// Prepared again by the next batch, should the table have changed
		// under the statement.
		_ = conn.Conn().Deallocate(context.WithoutCancel(ctx), insertConsentsName)
		return nil, err
	}
	return written, nil
}

// encodeConsentBatch is insertConsents' eight parameters for batch, one
// binary array per column, all in one buffer.
func encodeConsentBatch(batch []*CookieConsent) [][]byte {
	n := len(batch)
	size := 8 * (20 + 4*n) // headers and element lengths
	for _, r := range batch {
		size += 16 + len(r.Action) + len(r.PolicyVersion) + len(r.UAHash) + 8 + 36 + 43
		for _, c := range r.Categories {
			size += len(c) + 1
		}
	}
	buf := make([]byte, 0, size)
	var ends [8]int
	column := func(i int, elem uint32, each func(b []byte, r *CookieConsent) []byte) {
		buf = arrayHeader(buf, elem, n, elem == pgtype.ByteaOID && slices.ContainsFunc(batch, func(r *CookieConsent) bool { return r.UAHash == nil }))
		for _, r := range batch {
			buf = each(buf, r)
		}
		ends[i] = len(buf)
	}
	column(0, pgtype.UUIDOID, func(b []byte, r *CookieConsent) []byte { return append(appendLen(b, 16), r.ID[:]...) })
	column(1, pgtype.TextOID, func(b []byte, r *CookieConsent) []byte { // comma-joined, see insertConsents
		at := len(b)
		b = appendLen(b, 0)
		for i, c := range r.Categories {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, c...)
		}
		return putLen(b, at)
	})
	column(2, pgtype.TextOID, func(b []byte, r *CookieConsent) []byte {
		return append(appendLen(b, len(r.Action)), r.Action...)
	})
	column(3, pgtype.TextOID, func(b []byte, r *CookieConsent) []byte {
		return append(appendLen(b, len(r.PolicyVersion)), r.PolicyVersion...)
	})
	column(4, pgtype.TextOID, func(b []byte, r *CookieConsent) []byte { // '' for none
		at := len(b)
		b = appendLen(b, 0)
		if r.IPPrefix.IsValid() {
			b = r.IPPrefix.AppendTo(b)
		}
		return putLen(b, at)
	})
	column(5, pgtype.ByteaOID, func(b []byte, r *CookieConsent) []byte {
		if r.UAHash == nil {
			return binary.BigEndian.AppendUint32(b, 0xffffffff) // NULL, as pgx sends a nil []byte
		}
		return append(appendLen(b, len(r.UAHash)), r.UAHash...)
	})
	column(6, pgtype.TimestamptzOID, func(b []byte, r *CookieConsent) []byte {
		b, _ = binary.Append(appendLen(b, 8), binary.BigEndian, pgMicros(r.At)) // an int64 always fits
		return b
	})
	column(7, pgtype.TextOID, func(b []byte, r *CookieConsent) []byte { // '' for none
		if r.IdemKey == uuid.Nil {
			return appendLen(b, 0)
		}
		return append(appendLen(b, 36), r.IdemKey.String()...)
	})
	params := make([][]byte, 8)
	start := 0
	for i, end := range ends {
		params[i] = buf[start:end:end]
		start = end
	}
	return params
}

// arrayHeader starts a one-dimensional binary array of n elements of type
// elem, counted from 1.
func arrayHeader(b []byte, elem uint32, n int, hasNull bool) []byte {
	flags := uint32(0)
	if hasNull {
		flags = 1
	}
	b = binary.BigEndian.AppendUint32(b, 1) // dimensions
	b = binary.BigEndian.AppendUint32(b, flags)
	b = binary.BigEndian.AppendUint32(b, elem)
	b = appendLen(b, n)
	return binary.BigEndian.AppendUint32(b, 1) // lower bound
}

// appendLen appends n as a wire length (an int32). A batch holds at most a
// few hundred short values, so a length out of range is a bug, not input.
func appendLen(b []byte, n int) []byte {
	if n < 0 || n > math.MaxInt32 {
		panic("models: wire length out of range")
	}
	return binary.BigEndian.AppendUint32(b, uint32(n))
}

// putLen writes, at b[at:], the length of the value appended after it.
func putLen(b []byte, at int) []byte {
	appendLen(b[at:at], len(b)-at-4)
	return b
}

// pgMicros is t as PostgreSQL's binary timestamptz: microseconds since
// 2000-01-01 UTC, computed as pgx computes it.
func pgMicros(t time.Time) int64 {
	const unixToY2K = 946684800 * 1000000
	return t.Unix()*1000000 + int64(t.Nanosecond())/1000 - unixToY2K
}
