using TariffLang.Ledgers;

namespace TariffLang.Tests.Ledgers;

public sealed class AccountReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tariff-account-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    // ---- CSV ----

    [Fact]
    public void Read_Csv_ReadsContractValuesPerAccount()
    {
        var path = WriteFile("accounts.csv", """
            account,plan,enterprise_fee,seniority_years
            dealer-1,GROW,,3
            dealer-2,ENTERPRISE,"1,200.00",12
            """);

        var result = AccountReader.Read(path);

        result.Errors.ShouldBeEmpty();
        result.Table.Accounts.Count.ShouldBe(2);
        var first = result.Table.Accounts["dealer-1"];
        first["plan"].ShouldBe("GROW");
        first["seniority_years"].ShouldBe("3");
        first.ContainsKey("enterprise_fee").ShouldBeFalse();
        first.ContainsKey("account").ShouldBeFalse();
        result.Table.Accounts["dealer-2"]["enterprise_fee"].ShouldBe("1,200.00");
    }

    [Fact]
    public void Read_Csv_TableFeedsAccountTableFor_WithOverridesOnTop()
    {
        var path = WriteFile("accounts.csv", "account,plan,seat_price\nacme,GROW,10\n");

        var table = AccountReader.Read(path).Table;

        var values = table.For("acme", new Dictionary<string, string> { ["seat_price"] = "12" });
        values["plan"].ShouldBe("GROW");
        values["seat_price"].ShouldBe("12");
        table.For("unknown").ShouldBeEmpty();
    }

    [Fact]
    public void Read_Csv_DuplicateAccount_ReportsPathAndRowAndKeepsFirst()
    {
        var path = WriteFile("accounts.csv", """
            account,plan
            acme,GROW

            acme,SCALE
            """);

        var result = AccountReader.Read(path);

        result.Table.Accounts["acme"]["plan"].ShouldBe("GROW");
        result.Errors.ShouldBe([$"{path}:3: duplicate account 'acme' (first defined on row 2)"]);
    }

    [Fact]
    public void Read_Csv_MissingAccountColumn_ReportsSingleHeaderError()
    {
        var path = WriteFile("accounts.csv", "customer,plan\nacme,GROW\nglobex,BASE\n");

        var result = AccountReader.Read(path);

        result.Table.Accounts.ShouldBeEmpty();
        result.Errors.ShouldBe([$"{path}:1: account file has no 'account' column"]);
    }

    [Fact]
    public void Read_Csv_EmptyAccountAndWrongFieldCount_ReportRows()
    {
        var path = WriteFile("accounts.csv", "account,plan\n,GROW\nacme\nglobex,BASE\n");

        var result = AccountReader.Read(path);

        result.Table.Accounts.Keys.ShouldBe(["globex"]);
        result.Errors.ShouldBe([
            $"{path}:2: 'account' is missing or empty",
            $"{path}:3: row has 1 fields but the header has 2 columns",
        ]);
    }

    [Fact]
    public void Read_Csv_DuplicateColumn_ReportsHeaderError()
    {
        var path = WriteFile("accounts.csv", "account,plan,plan\nacme,GROW,BASE\n");

        var result = AccountReader.Read(path);

        result.Table.Accounts.ShouldBeEmpty();
        result.Errors.ShouldHaveSingleItem().ShouldBe($"{path}:1: header names 'plan' more than once");
    }

    [Fact]
    public void Read_Csv_EmptyFile_ReportsRow1()
    {
        var path = WriteFile("accounts.csv", "");

        AccountReader.Read(path).Errors.ShouldHaveSingleItem().ShouldStartWith($"{path}:1: account file is empty");
    }

    // ---- JSON ----

    [Fact]
    public void Read_JsonArray_ReadsFlatObjects()
    {
        var path = WriteFile("accounts.json", """
            [
              {"account": "dealer-1", "plan": "GROW", "seniority_years": 7, "vip": true, "note": null},
              {"account": "dealer-2", "plan": "ENTERPRISE", "enterprise_rate": 0.120}
            ]
            """);

        var result = AccountReader.Read(path);

        result.Errors.ShouldBeEmpty();
        var first = result.Table.Accounts["dealer-1"];
        first["plan"].ShouldBe("GROW");
        first["seniority_years"].ShouldBe("7");
        first["vip"].ShouldBe("true");
        first.ContainsKey("note").ShouldBeFalse();
        result.Table.Accounts["dealer-2"]["enterprise_rate"].ShouldBe("0.120");
    }

    [Fact]
    public void Read_JsonArray_DuplicateAccount_ReportsLineOfTheObject()
    {
        var path = WriteFile("accounts.json", """
            [
              {"account": "acme", "plan": "GROW"},
              {
                "account": "acme",
                "plan": "SCALE"
              }
            ]
            """);

        var result = AccountReader.Read(path);

        result.Table.Accounts["acme"]["plan"].ShouldBe("GROW");
        result.Errors.ShouldBe([$"{path}:3: duplicate account 'acme' (first defined on row 2)"]);
    }

    [Fact]
    public void Read_JsonArray_NestedValueOrMissingAccount_ReportsLine()
    {
        var path = WriteFile("accounts.json", """
            [
              {"account": "a", "prices": {"base": 1}},
              {"plan": "GROW"},
              "b",
              {"account": "c"}
            ]
            """);

        var result = AccountReader.Read(path);

        result.Table.Accounts.Keys.ShouldBe(["c"]);
        result.Errors.Length.ShouldBe(3);
        result.Errors[0].ShouldStartWith($"{path}:2: key 'prices' holds an object");
        result.Errors[1].ShouldBe($"{path}:3: 'account' is missing or empty");
        result.Errors[2].ShouldBe($"{path}:4: expected a JSON object but found a string");
    }

    [Fact]
    public void Read_JsonArray_BadJson_ReportsPathAndLine()
    {
        var path = WriteFile("accounts.json", "[\n  {\"account\": \"a\"},\n  {\"account\": }\n]\n");

        var result = AccountReader.Read(path);

        result.Table.Accounts.Keys.ShouldBe(["a"]);
        result.Errors.ShouldHaveSingleItem().ShouldStartWith($"{path}:3: invalid JSON");
    }

    [Fact]
    public void Read_JsonArray_TrailingContent_IsReported()
    {
        var path = WriteFile("accounts.json", "[{\"account\": \"a\"}]\n{\"account\": \"b\"}\n");

        var result = AccountReader.Read(path);

        result.Errors.ShouldHaveSingleItem().ShouldStartWith($"{path}:2: invalid JSON");
    }

    [Fact]
    public void Read_JsonLines_ReadsObjectsAndReportsBadLines()
    {
        var path = WriteFile("accounts.jsonl", """
            {"account": "a", "plan": "BASE"}
            not json

            {"account": "b", "plan": "SCALE"}
            """);

        var result = AccountReader.Read(path);

        result.Table.Accounts.Keys.Order().ShouldBe(["a", "b"]);
        result.Table.Accounts["b"]["plan"].ShouldBe("SCALE");
        result.Errors.ShouldHaveSingleItem().ShouldStartWith($"{path}:2: invalid JSON");
    }

    [Fact]
    public void Read_JsonObjectFileWithoutArray_IsReadAsJsonLines()
    {
        var path = WriteFile("accounts.json", "{\"account\": \"a\", \"plan\": \"BASE\"}\n");

        var result = AccountReader.Read(path);

        result.Errors.ShouldBeEmpty();
        result.Table.Accounts["a"]["plan"].ShouldBe("BASE");
    }

    // ---- files ----

    [Fact]
    public void Read_MissingFile_ReportsPathWithoutThrowing()
    {
        var path = Path.Combine(_directory, "missing.csv");

        var result = AccountReader.Read(path);

        result.Table.Accounts.ShouldBeEmpty();
        result.Errors.ShouldBe([$"{path}: cannot read account file: file not found"]);
    }

    [Fact]
    public void Read_UnknownExtension_ReportsPath()
    {
        var path = WriteFile("accounts.xlsx", "");

        AccountReader.Read(path).Errors.ShouldHaveSingleItem().ShouldStartWith($"{path}: cannot tell the format");
    }
}
