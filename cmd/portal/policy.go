package main

import (
	"errors"
	"fmt"
	"strings"
)

// policyCommand: portal policy check [FILE] | portal policy purposes |
// portal policy notify [--batch N].
func policyCommand(env *env, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: portal policy check [FILE] | portal policy purposes | portal policy notify [--batch N]")
	}
	switch args[0] {
	case "check":
		if len(args) > 1 {
			env.cfg.PolicyPath = args[1]
		}
		reg, err := env.registry()
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "policy %s (%s): %d purposes, valid\n", reg.Version, reg.Date, len(reg.Purposes))
		return nil
	case "purposes":
		// Every purpose key, comma-separated: the value of portal.purposes
		// that lets a psql session see every record (make psql).
		reg, err := env.registry()
		if err != nil {
			return err
		}
		fmt.Fprintln(env.stdout, strings.Join(reg.PurposeKeys(), ","))
		return nil
	case "notify":
		return policyNotify(env, args[1:])
	}
	return fmt.Errorf("unknown policy command %q", args[0])
}
