package tickets

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
)

func TestOneBuyerAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		o := NewOffice(map[string]int{"matinee": 2})
		for i, want := range []bool{true, true, false} {
			buyer := fmt.Sprintf("buyer %d", i+1)
			rec.Start(buyer)
			got := o.Buy("matinee", buyer)
			rec.Record(buyer, "done", fmt.Sprintf("Buy returned %v", got))
			if got != want {
				t.Errorf("Buy #%d with %d tickets left = %v; want %v", i+1, 2-min(i, 2), got, want)
			}
		}
		if got := o.Left("matinee"); got != 0 {
			t.Errorf("Left = %d after selling both tickets; want 0", got)
		}
		if got := o.Buy("premiere", "buyer 4"); got {
			t.Errorf("Buy for a show with no tickets = true; want false")
		}
		if got, want := o.Buyers("matinee"), []string{"buyer 1", "buyer 2"}; !slices.Equal(got, want) {
			t.Errorf("Buyers = %v; want %v", got, want)
		}
	})
}

// A hundred buyers at once, for ten tickets. This check records no
// events: recording synchronises goroutines, and could hide the race it
// looks for.
func TestAHundredBuyersAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := NewOffice(map[string]int{"premiere": 10})
		var wg sync.WaitGroup
		got := make([]bool, 100)
		for i := range got {
			wg.Go(func() { got[i] = o.Buy("premiere", fmt.Sprintf("buyer %d", i+1)) })
		}
		wg.Wait()
		sold := 0
		for _, ok := range got {
			if ok {
				sold++
			}
		}
		if sold != 10 {
			t.Errorf("Buy returned true %d times for 10 tickets; want 10", sold)
		}
		if left := o.Left("premiere"); left != 0 {
			t.Errorf("Left = %d after the sale; want 0", left)
		}
		if buyers := o.Buyers("premiere"); len(buyers) != sold {
			t.Errorf("%d buyers noted for %d tickets sold; want one per ticket", len(buyers), sold)
		}
	})
}
