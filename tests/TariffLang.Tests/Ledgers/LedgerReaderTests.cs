using TariffLang.Ledgers;

namespace TariffLang.Tests.Ledgers;

public sealed class LedgerReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tariff-ledger-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Ledger Csv(string text) => LedgerReader.ReadCsv(new StringReader(text), "usage.csv");

    private static Ledger Jsonl(string text) => LedgerReader.ReadJsonLines(new StringReader(text), "usage.jsonl");

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    // ---- CSV: good rows ----

    [Fact]
    public void ReadCsv_ValidRows_ReadsColumnsAndAttributes()
    {
        var ledger = Csv("""
            time,account,event,id,quantity,source,length
            2024-01-03T09:15:00+01:00,krys-01,appointment,a-1,,calendoc,
            2024-01-03T10:00:00Z,krys-02,sms,s-9,2.5,,161
            """);

        ledger.Errors.ShouldBeEmpty();
        ledger.Path.ShouldBe("usage.csv");
        ledger.Rows.Length.ShouldBe(2);

        var first = ledger.Rows[0];
        first.Row.ShouldBe(2);
        first.Time.ShouldBe(new DateTimeOffset(2024, 1, 3, 9, 15, 0, TimeSpan.FromHours(1)));
        first.Time.Offset.ShouldBe(TimeSpan.FromHours(1));
        first.Account.ShouldBe("krys-01");
        first.Event.ShouldBe("appointment");
        first.Id.ShouldBe("a-1");
        first.Quantity.ShouldBe(1m);
        first.Attributes.Count.ShouldBe(1);
        first.Attributes["source"].ShouldBe("calendoc");

        var second = ledger.Rows[1];
        second.Row.ShouldBe(3);
        second.Time.ShouldBe(new DateTimeOffset(2024, 1, 3, 10, 0, 0, TimeSpan.Zero));
        second.Quantity.ShouldBe(2.5m);
        second.Id.ShouldBe("s-9");
        second.Attributes.ContainsKey("source").ShouldBeFalse();
        second.Attributes["length"].ShouldBe("161");
    }

    [Fact]
    public void ReadCsv_WithoutOptionalColumns_DefaultsIdAndQuantity()
    {
        var ledger = Csv("time,account,event\n2024-01-03T09:15:00+01:00,acme,sms\n");

        ledger.Errors.ShouldBeEmpty();
        var row = ledger.Rows.ShouldHaveSingleItem();
        row.Id.ShouldBeNull();
        row.Quantity.ShouldBe(1m);
        row.Attributes.ShouldBeEmpty();
    }

    [Fact]
    public void ReadCsv_AttributeValues_AreTrimmedLikeEveryValueAndBlankIsAbsent()
    {
        var ledger = Csv("time,account,event,note,source\n2024-01-03T09:15:00+01:00 , acme ,sms, hello ,\t \n");

        var row = ledger.Rows.ShouldHaveSingleItem();
        row.Account.ShouldBe("acme");
        row.Attributes["note"].ShouldBe("hello");
        row.Attributes.ContainsKey("source").ShouldBeFalse();
    }

    [Fact]
    public void ReadCsv_RowsKeepFileOrder_EvenWhenTimesAreNot()
    {
        var ledger = Csv("""
            time,account,event
            2024-01-05T00:00:00Z,b,sms
            2024-01-01T00:00:00Z,a,sms
            2024-01-03T00:00:00Z,c,sms
            """);

        ledger.Rows.Select(r => r.Account).ShouldBe(["b", "a", "c"]);
        ledger.Rows.Select(r => r.Row).ShouldBe([2, 3, 4]);
    }

    [Theory]
    [InlineData("2024-01-03T09:15+01:00", 9, 15, 0, 60)]
    [InlineData("2024-01-03T09:15:30.250-05:00", 9, 15, 30, -300)]
    [InlineData("2024-01-03T09:15:30+0530", 9, 15, 30, 330)]
    [InlineData("2024-01-03T09:15:30z", 9, 15, 30, 0)]
    public void ReadCsv_TimeForms_AreAccepted(string time, int hour, int minute, int second, int offsetMinutes)
    {
        var row = Csv($"time,account,event\n{time},acme,sms\n").Rows.ShouldHaveSingleItem();

        row.Time.Hour.ShouldBe(hour);
        row.Time.Minute.ShouldBe(minute);
        row.Time.Second.ShouldBe(second);
        row.Time.Offset.ShouldBe(TimeSpan.FromMinutes(offsetMinutes));
    }

    [Fact]
    public void ReadCsv_FractionalSeconds_AreKept()
    {
        var row = Csv("time,account,event\n2024-01-03T09:15:30.250+00:00,acme,sms\n").Rows.ShouldHaveSingleItem();

        row.Time.Millisecond.ShouldBe(250);
    }

    // ---- CSV: quoting and layout ----

    [Fact]
    public void ReadCsv_QuotedFields_KeepCommasAndDoubledQuotes()
    {
        var ledger = Csv("""
            time,account,event,label
            2024-01-03T09:15:00+01:00,"acme, inc",sms,"say ""hi"", then go"
            """);

        ledger.Errors.ShouldBeEmpty();
        var row = ledger.Rows.ShouldHaveSingleItem();
        row.Account.ShouldBe("acme, inc");
        row.Attributes["label"].ShouldBe("say \"hi\", then go");
    }

    [Fact]
    public void ReadCsv_NewlineInsideQuotes_IsOneRecordAndRowsCountRecords()
    {
        var ledger = Csv("time,account,event,text\n"
                         + "2024-01-03T09:15:00+01:00,acme,sms,\"line one\nline two\r\nline three\"\n"
                         + "2024-01-03T09:16:00+01:00,acme,sms,short\n");

        ledger.Errors.ShouldBeEmpty();
        ledger.Rows.Length.ShouldBe(2);
        ledger.Rows[0].Attributes["text"].ShouldBe("line one\nline two\r\nline three");
        ledger.Rows[0].Row.ShouldBe(2);
        // Third record, though it starts on the fifth physical line.
        ledger.Rows[1].Row.ShouldBe(3);
    }

    [Fact]
    public void ReadCsv_QuotedEmptyField_IsAbsentAttribute()
    {
        var row = Csv("time,account,event,source\n2024-01-03T09:15:00+01:00,acme,sms,\"\"\n").Rows.ShouldHaveSingleItem();

        row.Attributes.ContainsKey("source").ShouldBeFalse();
    }

    [Fact]
    public void ReadCsv_SpaceBeforeOpeningQuote_IsTolerated()
    {
        var row = Csv("time,account,event,label\n2024-01-03T09:15:00+01:00,acme,sms, \"a, b\" \n").Rows.ShouldHaveSingleItem();

        row.Attributes["label"].ShouldBe("a, b");
    }

    [Fact]
    public void ReadCsv_CrLfLineEndings_AreRead()
    {
        var ledger = Csv("time,account,event\r\n2024-01-03T09:15:00+01:00,acme,sms\r\n2024-01-03T09:16:00+01:00,acme,sms\r\n");

        ledger.Errors.ShouldBeEmpty();
        ledger.Rows.Select(r => r.Row).ShouldBe([2, 3]);
        ledger.Rows[0].Event.ShouldBe("sms");
    }

    [Fact]
    public void ReadCsv_BlankLines_AreSkippedWithoutTakingRowNumbers()
    {
        var ledger = Csv("\ntime,account,event\n\n2024-01-03T09:15:00+01:00,a,sms\n   \n\n2024-01-03T09:16:00+01:00,b,sms\n\n");

        ledger.Errors.ShouldBeEmpty();
        ledger.RowCount.ShouldBe(2);
        ledger.Rows.Select(r => (r.Row, r.Account)).ShouldBe([(2, "a"), (3, "b")]);
    }

    [Fact]
    public void ReadCsv_ByteOrderMarkBeforeHeader_IsIgnored()
    {
        var ledger = Csv("\uFEFFtime,account,event\n2024-01-03T09:15:00+01:00,acme,sms\n");

        ledger.Errors.ShouldBeEmpty();
        ledger.Rows.ShouldHaveSingleItem();
    }

    [Fact]
    public void ReadCsv_TrailingCommaInHeader_IsHarmlessWhileCellsAreEmpty()
    {
        var ledger = Csv("time,account,event,\n2024-01-03T09:15:00+01:00,acme,sms,\n2024-01-03T09:15:00+01:00,acme,sms,oops\n");

        ledger.Rows.ShouldHaveSingleItem().Row.ShouldBe(2);
        var error = ledger.Errors.ShouldHaveSingleItem();
        error.Row.ShouldBe(3);
        error.Message.ShouldContain("column 4 has no name");
        error.Message.ShouldContain("'oops'");
    }

    // ---- CSV: errors ----

    [Fact]
    public void ReadCsv_TimeWithoutOffset_ReportsRowError()
    {
        var ledger = Csv("""
            time,account,event
            2024-01-03T09:15:00+01:00,acme,sms
            2024-01-03T09:15:00,acme,sms
            """);

        ledger.Rows.ShouldHaveSingleItem().Row.ShouldBe(2);
        var error = ledger.Errors.ShouldHaveSingleItem();
        error.Row.ShouldBe(3);
        error.Message.ShouldContain("time '2024-01-03T09:15:00'");
        error.Message.ShouldContain("no UTC offset");
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2024-13-03T09:15:00Z")]
    [InlineData("2024-01-03 09:15:00Z")]
    [InlineData("2024-01-03")]
    [InlineData("2024-01-03T25:00:00Z")]
    [InlineData("2024-01-03T09:15:00+15:00")]
    public void ReadCsv_BadTime_ReportsRowErrorWithValue(string time)
    {
        var ledger = Csv($"time,account,event\n{time},acme,sms\n");

        ledger.Rows.ShouldBeEmpty();
        var error = ledger.Errors.ShouldHaveSingleItem();
        error.Row.ShouldBe(2);
        error.Message.ShouldContain($"time '{time}'");
    }

    [Theory]
    [InlineData("time,account,event\n,acme,sms\n", "'time' is empty")]
    [InlineData("time,account,event\n2024-01-03T09:15:00Z,,sms\n", "'account' is empty")]
    [InlineData("time,account,event\n2024-01-03T09:15:00Z,acme,   \n", "'event' is empty")]
    public void ReadCsv_EmptyRequiredValue_ReportsRowError(string csv, string expected)
    {
        var ledger = Csv(csv);

        ledger.Rows.ShouldBeEmpty();
        var error = ledger.Errors.ShouldHaveSingleItem();
        error.Row.ShouldBe(2);
        error.Message.ShouldBe(expected);
    }

    [Theory]
    [InlineData("abc", "is not a number")]
    [InlineData("1,5", "is not a number")]
    [InlineData("0", "must be greater than 0")]
    [InlineData("-2", "must be greater than 0")]
    public void ReadCsv_BadQuantity_ReportsRowErrorWithValue(string quantity, string expected)
    {
        var ledger = Csv($"time,account,event,quantity\n2024-01-03T09:15:00Z,acme,sms,\"{quantity}\"\n");

        ledger.Rows.ShouldBeEmpty();
        var error = ledger.Errors.ShouldHaveSingleItem();
        error.Row.ShouldBe(2);
        error.Message.ShouldContain($"quantity '{quantity}'");
        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void ReadCsv_QuantityIsInvariantDecimal_NotBinaryFloat()
    {
        var row = Csv("time,account,event,quantity\n2024-01-03T09:15:00Z,acme,sms,0.1000000000000000000001\n").Rows.ShouldHaveSingleItem();

        row.Quantity.ShouldBe(0.1000000000000000000001m);
    }

    [Fact]
    public void ReadCsv_SeveralProblemsInOneRow_AreReportedTogether()
    {
        var error = Csv("time,account,event,quantity\nnope,,sms,x\n").Errors.ShouldHaveSingleItem();

        error.Row.ShouldBe(2);
        error.Message.ShouldContain("time 'nope'");
        error.Message.ShouldContain("'account' is empty");
        error.Message.ShouldContain("quantity 'x'");
    }

    [Fact]
    public void ReadCsv_WrongFieldCount_ReportsRowError()
    {
        var ledger = Csv("""
            time,account,event
            2024-01-03T09:15:00Z,acme
            2024-01-03T09:15:00Z,acme,sms,extra
            2024-01-03T09:15:00Z,acme,sms
            """);

        ledger.Rows.ShouldHaveSingleItem().Row.ShouldBe(4);
        ledger.Errors.Select(e => e.Row).ShouldBe([2, 3]);
        ledger.Errors[0].Message.ShouldBe("row has 2 fields but the header has 3 columns");
        ledger.Errors[1].Message.ShouldBe("row has 4 fields but the header has 3 columns");
    }

    [Fact]
    public void ReadCsv_MissingRequiredColumn_ReportsHeaderAndEveryDataRow()
    {
        var ledger = Csv("""
            when,account,event
            2024-01-03T09:15:00Z,acme,sms
            2024-01-03T09:16:00Z,acme,sms
            """);

        ledger.Rows.ShouldBeEmpty();
        ledger.Problem.ShouldNotBeNull().ShouldEndWith("ledger has no 'time' column");
        ledger.Errors.Select(e => e.Row).ShouldBe([2, 3]);
        ledger.Errors.ShouldAllBe(e => e.Message == "ledger has no 'time' column");
        ledger.RowCount.ShouldBe(2);
    }

    [Fact]
    public void ReadCsv_SeveralMissingColumns_AreAllNamed()
    {
        var error = Csv("time\n2024-01-03T09:15:00Z\n").Errors[0];

        error.Row.ShouldBe(2);
        error.Message.ShouldBe("ledger has no 'account', 'event' columns");
    }

    [Fact]
    public void ReadCsv_DuplicateColumn_ReportsTheHeaderAndEveryDataRow()
    {
        var ledger = Csv("time,account,event,account\n2024-01-03T09:15:00Z,a,sms,b\n");

        ledger.Rows.ShouldBeEmpty();
        ledger.Problem.ShouldNotBeNull().ShouldContain("'account' more than once");
        ledger.Errors.Select(e => e.Row).ShouldBe([2]);
        ledger.Errors[0].Message.ShouldContain("'account' more than once");
    }

    [Fact]
    public void ReadCsv_EmptyInput_IsAFileProblemWithNoRows()
    {
        var ledger = Csv("");

        ledger.Rows.ShouldBeEmpty();
        ledger.Errors.ShouldBeEmpty();
        ledger.Problem.ShouldNotBeNull().ShouldContain("header row");
        ledger.RowCount.ShouldBe(0);
    }

    [Fact]
    public void ReadCsv_HeaderOnly_HasNoRowsAndNoErrors()
    {
        var ledger = Csv("time,account,event\n");

        ledger.Rows.ShouldBeEmpty();
        ledger.Errors.ShouldBeEmpty();
    }

    [Fact]
    public void ReadCsv_StrayQuoteInUnquotedField_ReportsRowErrorAndReadsOn()
    {
        var ledger = Csv("time,account,event,size\n2024-01-03T09:15:00Z,acme,sms,5\" screen\n2024-01-03T09:16:00Z,acme,sms,6\n");

        var error = ledger.Errors.ShouldHaveSingleItem();
        error.Row.ShouldBe(2);
        error.Message.ShouldContain("field 4 has a quote inside an unquoted value");
        ledger.Rows.ShouldHaveSingleItem().Row.ShouldBe(3);
    }

    [Fact]
    public void ReadCsv_TextAfterClosingQuote_ReportsRowError()
    {
        var error = Csv("time,account,event\n2024-01-03T09:15:00Z,\"acme\"x,sms\n").Errors.ShouldHaveSingleItem();

        error.Row.ShouldBe(2);
        error.Message.ShouldContain("field 2 has text after its closing quote");
    }

    [Fact]
    public void ReadCsv_UnclosedQuote_ReportsRowError()
    {
        var ledger = Csv(
            "time,account,event\n2024-01-03T09:15:00Z,acme,sms\n2024-01-03T09:16:00Z,\"acme,sms\n2024-01-03T09:17:00Z,acme,sms\n");

        ledger.Rows.ShouldHaveSingleItem().Row.ShouldBe(2);
        var error = ledger.Errors.ShouldHaveSingleItem();
        error.Row.ShouldBe(3);
        error.Message.ShouldContain("field 2 opens a quote that is never closed");
    }

    [Fact]
    public void ReadCsv_EveryRowIsAccountedFor()
    {
        var ledger = Csv("""
            time,account,event,quantity
            2024-01-03T09:15:00Z,acme,sms,1
            2024-01-03T09:15:00,acme,sms,1
            2024-01-03T09:15:00Z,acme,sms,0
            2024-01-03T09:15:00Z,acme,sms
            2024-01-03T09:15:00Z,acme,sms,3
            """);

        ledger.RowCount.ShouldBe(5);
        ledger.Rows.Select(r => r.Row).Concat(ledger.Errors.Select(e => e.Row)).Order().ShouldBe([2, 3, 4, 5, 6]);
    }

    // ---- JSON Lines ----

    [Fact]
    public void ReadJsonLines_ValidLine_ReadsEveryValueType()
    {
        var ledger = Jsonl("""
            {"time":"2024-01-03T09:15:00+01:00","account":"acme","event":"chat","id":"c-1","quantity":2.50,"score":1.50,"bot":true,"agent":false,"note":null,"channel":"web"}
            """);

        ledger.Errors.ShouldBeEmpty();
        var row = ledger.Rows.ShouldHaveSingleItem();
        row.Row.ShouldBe(1);
        row.Time.ShouldBe(new DateTimeOffset(2024, 1, 3, 9, 15, 0, TimeSpan.FromHours(1)));
        row.Account.ShouldBe("acme");
        row.Event.ShouldBe("chat");
        row.Id.ShouldBe("c-1");
        row.Quantity.ShouldBe(2.5m);
        row.Attributes["score"].ShouldBe("1.50");
        row.Attributes["bot"].ShouldBe("true");
        row.Attributes["agent"].ShouldBe("false");
        row.Attributes["channel"].ShouldBe("web");
        row.Attributes.ContainsKey("note").ShouldBeFalse();
        row.Attributes.Count.ShouldBe(4);
    }

    [Fact]
    public void ReadJsonLines_NumbersKeepTheirRawText()
    {
        var row = Jsonl(
            """{"time":"2024-01-03T09:15:00Z","account":12345,"event":"sms","length":1e3,"big":123456789012345678901234567890}""")
            .Rows.ShouldHaveSingleItem();

        row.Account.ShouldBe("12345");
        row.Attributes["length"].ShouldBe("1e3");
        row.Attributes["big"].ShouldBe("123456789012345678901234567890");
    }

    [Fact]
    public void ReadJsonLines_QuantityAsString_IsParsed()
    {
        var row = Jsonl("""{"time":"2024-01-03T09:15:00Z","account":"a","event":"sms","quantity":"3"}""").Rows.ShouldHaveSingleItem();

        row.Quantity.ShouldBe(3m);
    }

    [Fact]
    public void ReadJsonLines_RowIsLineNumber_BlankLinesStillCount()
    {
        var ledger = Jsonl("""
            {"time":"2024-01-03T09:15:00Z","account":"a","event":"sms"}

            {"time":"2024-01-03T09:16:00Z","account":"b","event":"sms"}
            """);

        ledger.Errors.ShouldBeEmpty();
        ledger.Rows.Select(r => (r.Row, r.Account)).ShouldBe([(1, "a"), (3, "b")]);
    }

    [Fact]
    public void ReadJsonLines_InvalidJson_ReportsLineError()
    {
        var ledger = Jsonl("""
            {"time":"2024-01-03T09:15:00Z","account":"a","event":"sms"}
            {"time":"2024-01-03T09:16:00Z","account":"b",
            {"time":"2024-01-03T09:17:00Z","account":"c","event":"sms"}
            """);

        ledger.Rows.Select(r => r.Row).ShouldBe([1, 3]);
        var error = ledger.Errors.ShouldHaveSingleItem();
        error.Row.ShouldBe(2);
        error.Message.ShouldStartWith("invalid JSON");
        error.Message.ShouldNotContain("LineNumber");
    }

    [Theory]
    [InlineData("[1,2]", "an array")]
    [InlineData("42", "a number")]
    [InlineData("\"text\"", "a string")]
    [InlineData("null", "null")]
    public void ReadJsonLines_NonObjectLine_ReportsLineError(string line, string found)
    {
        var error = Jsonl(line).Errors.ShouldHaveSingleItem();

        error.Row.ShouldBe(1);
        error.Message.ShouldBe($"expected a JSON object but found {found}");
    }

    [Theory]
    [InlineData("""{"time":"2024-01-03T09:15:00Z","account":"a","event":"sms","meta":{"k":1}}""", "key 'meta' holds an object")]
    [InlineData("""{"time":"2024-01-03T09:15:00Z","account":"a","event":"sms","tags":["x"]}""", "key 'tags' holds an array")]
    public void ReadJsonLines_NestedValue_ReportsLineError(string line, string expected)
    {
        var ledger = Jsonl(line);

        ledger.Rows.ShouldBeEmpty();
        var error = ledger.Errors.ShouldHaveSingleItem();
        error.Row.ShouldBe(1);
        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void ReadJsonLines_DuplicateKey_ReportsLineError()
    {
        var error = Jsonl("""{"time":"2024-01-03T09:15:00Z","account":"a","account":"b","event":"sms"}""").Errors.ShouldHaveSingleItem();

        error.Message.ShouldBe("key 'account' appears more than once");
    }

    [Fact]
    public void ReadJsonLines_MissingOrNullRequiredKey_ReportsLineError()
    {
        var ledger = Jsonl("""
            {"account":"a","event":"sms"}
            {"time":"2024-01-03T09:15:00Z","account":null,"event":"sms"}
            """);

        ledger.Rows.ShouldBeEmpty();
        ledger.Errors.Select(e => (e.Row, e.Message)).ShouldBe([
            (1, "'time' is missing or null"),
            (2, "'account' is missing or null"),
        ]);
    }

    [Fact]
    public void ReadJsonLines_TimeWithoutOffset_ReportsLineError()
    {
        var error = Jsonl("""{"time":"2024-01-03T09:15:00","account":"a","event":"sms"}""").Errors.ShouldHaveSingleItem();

        error.Row.ShouldBe(1);
        error.Message.ShouldContain("no UTC offset");
    }

    [Fact]
    public void ReadJsonLines_BadQuantity_ReportsLineError()
    {
        var ledger = Jsonl("""
            {"time":"2024-01-03T09:15:00Z","account":"a","event":"sms","quantity":0}
            {"time":"2024-01-03T09:15:00Z","account":"a","event":"sms","quantity":true}
            """);

        ledger.Errors.Select(e => e.Row).ShouldBe([1, 2]);
        ledger.Errors[0].Message.ShouldBe("quantity '0' must be greater than 0");
        ledger.Errors[1].Message.ShouldContain("quantity 'true' is not a number");
    }

    // ---- Read(path) ----

    [Fact]
    public void Read_MissingFile_IsAFileProblemNamingTheFile()
    {
        var path = Path.Combine(_directory, "nowhere.csv");

        var ledger = LedgerReader.Read(path);

        ledger.Path.ShouldBe(path);
        ledger.Rows.ShouldBeEmpty();
        ledger.Errors.ShouldBeEmpty();
        var problem = ledger.Problem.ShouldNotBeNull();
        problem.ShouldContain(path);
        problem.ShouldContain("not found");
    }

    [Fact]
    public void Read_UnknownExtension_IsAFileProblem()
    {
        var path = WriteFile("usage.txt", "time,account,event\n");

        var problem = LedgerReader.Read(path).Problem.ShouldNotBeNull();

        problem.ShouldContain(path);
        problem.ShouldContain(".csv");
    }

    [Fact]
    public void Read_CsvFileWithByteOrderMark_IsReadAsCsv()
    {
        var path = Path.Combine(_directory, "usage.CSV");
        File.WriteAllText(path, "time,account,event,note\n2024-01-03T09:15:00+01:00,acme,sms,é\n",
            new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var ledger = LedgerReader.Read(path);

        ledger.Errors.ShouldBeEmpty();
        ledger.Rows.ShouldHaveSingleItem().Attributes["note"].ShouldBe("é");
    }

    [Theory]
    [InlineData("usage.jsonl")]
    [InlineData("usage.ndjson")]
    [InlineData("usage.json")]
    public void Read_JsonLinesExtensions_AreReadAsJsonLines(string name)
    {
        var path = WriteFile(name, "{\"time\":\"2024-01-03T09:15:00Z\",\"account\":\"a\",\"event\":\"sms\"}\n");

        var ledger = LedgerReader.Read(path);

        ledger.Errors.ShouldBeEmpty();
        ledger.Rows.ShouldHaveSingleItem().Account.ShouldBe("a");
    }

    [Fact]
    public void Read_FileThatIsNotUtf8_IsAFileProblem()
    {
        var path = Path.Combine(_directory, "latin1.csv");
        File.WriteAllBytes(path, [.. System.Text.Encoding.ASCII.GetBytes("time,account,event\n2024-01-03T09:15:00Z,caf"),
            0xE9, (byte)',', (byte)'s', (byte)'\n']);

        var ledger = LedgerReader.Read(path);

        ledger.Rows.ShouldBeEmpty();
        ledger.Problem.ShouldNotBeNull().ShouldContain("UTF-8");
    }

    [Fact]
    public void Read_JsonArray_NumbersRowsByPosition()
    {
        var path = WriteFile("usage.json", """
            [
              {"time": "2024-01-03T09:15:00+01:00", "account": "a", "event": "sms", "length": 120},
              {"time": "2024-01-03T09:16:00", "account": "a", "event": "sms"},
              [1, 2]
            ]
            """);

        var ledger = LedgerReader.Read(path);

        ledger.Problem.ShouldBeNull();
        ledger.Rows.ShouldHaveSingleItem().Attributes["length"].ShouldBe("120");
        ledger.Errors.Select(e => e.Row).ShouldBe([2, 3]);
    }

    [Fact]
    public void Read_JsonFileWithOneObjectPerLine_IsReadAsJsonLines()
    {
        var path = WriteFile("usage.json", "{\"time\": \"2024-01-03T09:15:00Z\", \"account\": \"a\", \"event\": \"sms\"}\n");

        LedgerReader.Read(path).Rows.ShouldHaveSingleItem().Account.ShouldBe("a");
    }
}
