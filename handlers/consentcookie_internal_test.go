package handlers

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/securecookie"

	"github.com/alegria/privacy-portal/models"
)

// The consent cookie's serialiser writes what securecookie's JSONEncoder
// (encoding/json) writes, byte for byte, so cookies set before it (and
// after) read the same.
func TestChoiceSerializerIsEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 29, 23, 40, 0, 0, time.UTC)
	paris, _ := time.LoadLocation("Europe/Paris")
	for name, c := range map[string]models.CookieChoice{
		"accept":           {ID: uuid.New(), Categories: []string{"audience", "marketing"}, Action: "accept_all", PolicyVersion: "2026.1", At: at},
		"reject, empty":    {ID: uuid.New(), Categories: []string{}, Action: "reject_all", PolicyVersion: "2026.1", At: at},
		"no categories":    {ID: uuid.New(), Action: "gpc", PolicyVersion: "2026.1", At: at},
		"another zone":     {ID: uuid.New(), Categories: []string{"audience"}, Action: "custom", PolicyVersion: "v2", At: at.In(paris)},
		"nanoseconds":      {ID: uuid.New(), Action: "custom", PolicyVersion: "v2", At: at.Add(123456789)},
		"escaped version":  {ID: uuid.New(), Action: "custom", PolicyVersion: `<"é">&\`, At: at},
		"escaped category": {ID: uuid.New(), Categories: []string{"a\u2028b"}, Action: "custom", PolicyVersion: "1", At: at},
		"zero":             {},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := choiceSerializer{}.Serialize(c)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := securecookie.JSONEncoder{}.Serialize(c)
			if string(got) != string(want) {
				t.Errorf("serialised %s, encoding/json writes %s", got, want)
			}
			var back models.CookieChoice
			if err := (choiceSerializer{}).Deserialize(got, &back); err != nil || back.ID != c.ID || !back.At.Equal(c.At) {
				t.Errorf("read back %+v, %v", back, err)
			}
		})
	}
}
