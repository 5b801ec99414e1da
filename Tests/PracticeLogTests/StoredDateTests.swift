import Foundation
import GRDB
import PracticeLog
import PropertyBased
import Testing

/// The log writes dates as GRDB's own `Date` does (the text its `DateFormatter` makes), so old
/// and new rows sort and compare as one.
@Suite struct StoredDateTests {
    func grdbText(_ date: Date) -> String? { String.fromDatabaseValue(date.databaseValue) }

    @Test func theSameTextAsGRDBsForAnyDate() async {
        // 1970 to 2200, to the microsecond.
        await propertyCheck(count: 500, input: Gen.int64(in: 0...7_258_118_400_000_000)) { microseconds in
            let date = Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
            #expect(PracticeEntry.storedText(date) == grdbText(date), "\(date.timeIntervalSince1970)")
        }
    }

    @Test func theEdgesOfSecondsDaysAndYears() {
        for seconds in [0.0, 0.0005, 0.999, 0.9999, 59.9995, 86_399.999_9, 951_782_400, 1_798_761_599.9996, 4_107_542_400] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(PracticeEntry.storedText(date) == grdbText(date), "\(seconds)")
        }
    }
}
