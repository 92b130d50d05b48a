import Testing

@testable import Dialogue

@Suite struct ConcurrencyBudgetTests {
    @Test func runsUpToTheLimitQueuesUpToTheBoundAndRefusesTheRest() {
        var budget = ConcurrencyBudget(limit: 2, queueLimit: 1)
        do {
            let result = budget.request(now: 0)
            #expect(result == .run)
        }
        #expect(!budget.isFull(now: 0))
        do {
            let result = budget.request(now: 0)
            #expect(result == .run)
        }
        do {
            let result = budget.request(now: 0)
            #expect(result == .wait)
        }
        #expect(budget.isFull(now: 0))
        do {
            let result = budget.request(now: 0)
            #expect(result == .refuse)
        }
        #expect(budget.running == 2 && budget.waiting == 1)
    }

    @Test func aFinishedCallHandsItsSlotToAWaitingOne() {
        var budget = ConcurrencyBudget(limit: 1, queueLimit: 2)
        do {
            let result = budget.request(now: 0)
            #expect(result == .run)
        }
        do {
            let result = budget.request(now: 0)
            #expect(result == .wait)
        }
        do {
            let result = budget.finish()
            #expect(result, "the waiting call runs now")
        }
        #expect(budget.running == 1 && budget.waiting == 0)
        do {
            let result = budget.finish()
            #expect(!result, "nobody waits: the slot is free")
        }
        #expect(budget.running == 0)
        do {
            let result = budget.request(now: 0)
            #expect(result == .run)
        }
    }

    @Test func reservationsCountAgainstTheBoundAndAreClaimedByCalls() {
        var budget = ConcurrencyBudget(limit: 1, queueLimit: 1, reservationLifetime: 1_000)
        do {
            let result = budget.reserve(now: 0)
            #expect(result)
        }
        do {
            let result = budget.reserve(now: 0)
            #expect(result)
        }
        do {
            let result = budget.reserve(now: 0)
            #expect(!result, "one running and one waiting place, both reserved")
        }
        #expect(budget.isFull(now: 0))
        do {
            let result = budget.request(now: 10)
            #expect(result == .run, "claims a reservation")
        }
        do {
            let result = budget.request(now: 10)
            #expect(result == .wait, "claims the other")
        }
        #expect(budget.load(now: 10) == 2)
    }

    @Test func aReservationGivenBackFreesItsPlace() {
        var budget = ConcurrencyBudget(limit: 1, queueLimit: 0)
        do {
            let result = budget.reserve(now: 0)
            #expect(result)
        }
        budget.unreserve(now: 1)
        #expect(budget.load(now: 1) == 0)
        do {
            let result = budget.request(now: 1)
            #expect(result == .run)
        }
    }

    @Test func anUnclaimedReservationLapses() {
        var budget = ConcurrencyBudget(limit: 1, queueLimit: 0, reservationLifetime: 1_000)
        do {
            let result = budget.reserve(now: 0)
            #expect(result)
        }
        do {
            let result = budget.reserve(now: 999)
            #expect(!result)
        }
        do {
            let result = budget.reserve(now: 1_000)
            #expect(result, "the first lapsed")
        }
        #expect(budget.load(now: 2_000) == 0)
    }

    @Test func aZeroQueueRefusesAsSoonAsTheSlotsAreTaken() {
        var budget = ConcurrencyBudget(limit: 0, queueLimit: 0)  // at least one slot
        do {
            let result = budget.request(now: 0)
            #expect(result == .run)
        }
        do {
            let result = budget.request(now: 0)
            #expect(result == .refuse)
        }
    }
}
