using CsCheck;

namespace SmmuLab.Fuzzing.Tests;

/// <summary>The bounded CI run of the model fuzzer: CsCheck generates and shrinks, the machine judges.</summary>
public class ModelFuzzTests
{
    [Fact]
    public void The_model_answers_every_generated_case_the_architected_way()
    {
        var stats = new FuzzStatistics();
        FuzzGenerators.Case.Sample(
            c => Assert.Null(FuzzRunner.Attempt(FuzzRunner.Model, c, stats)),
            iter: 1500, threads: 1, print: c => c.ToString());

        // The run covered what it claims: commands with undefined opcodes, their CERROR_ILL,
        // bad STEs and StreamIDs, translations that succeeded and register writes.
        Assert.Equal(1500L, stats.Cases);
        Assert.True(stats.UndefinedOpcodes > 0);
        Assert.True(stats.CommandErrors["CERROR_ILL"] >= stats.UndefinedOpcodes);
        Assert.True(stats.Faults["C_BAD_STE"] > 0 && stats.Faults["C_BAD_STREAMID"] > 0);
        Assert.True(stats.TransactionsSucceeded > 0);
        Assert.True(stats.RegisterWrites > 0);
    }

    [Fact]
    public void A_case_is_the_same_for_the_same_seed()
    {
        Assert.Equal(FuzzRunner.Generate(42).ToString(), FuzzRunner.Generate(42).ToString());
        Assert.NotEqual(FuzzRunner.Generate(42).ToString(), FuzzRunner.Generate(43).ToString());
    }
}
