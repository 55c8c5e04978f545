using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Fuzzing.Tests;

/// <summary>Single actions on a <see cref="FuzzMachine"/>: each illegal input gets its architected answer, and the judge rejects others.</summary>
public class ArchitectedAnswerTests
{
    private static ulong[] SteOf(uint config, bool valid = true)
    {
        var s = new ulong[8];
        Ste.V.Set(s, valid ? 1UL : 0);
        Ste.Config.Set(s, config);
        return s;
    }

    [Fact]
    public void An_undefined_opcode_is_answered_with_CERROR_ILL_and_the_queue_carries_on()
    {
        var stats = new FuzzStatistics();
        var machine = new FuzzMachine(stats);

        Assert.Null(machine.Do(new IssueCommands([(0x7F, 0), (0x01, 0), (0x46, 0)])));

        Assert.Equal((3L, 1L), (stats.Commands, stats.UndefinedOpcodes));
        Assert.Equal(1L, stats.CommandErrors["CERROR_ILL"]);
    }

    [Fact]
    public void Bad_StreamIDs_invalid_and_abort_STEs_and_bypass_get_their_architected_answers()
    {
        var stats = new FuzzStatistics();
        var machine = new FuzzMachine(stats);

        Assert.Null(machine.Do(new Transaction(70, null, 0x1000, false)));
        Assert.Null(machine.Do(new Transaction(9, null, 0x1000, false))); // no STE written: V = 0
        Assert.Null(machine.Do(new WriteSte(2, SteOf(SteConfig.Abort))));
        Assert.Null(machine.Do(new Transaction(2, null, 0x1000, true)));
        Assert.Null(machine.Do(new WriteSte(3, SteOf(SteConfig.Bypass))));
        Assert.Null(machine.Do(new Transaction(3, null, 0x1234_5678, false)));

        Assert.Equal(1L, stats.Faults["C_BAD_STREAMID"]);
        Assert.Equal(1L, stats.Faults["C_BAD_STE"]);
        Assert.Equal(1L, stats.Faults["Aborted, no event"]);
        Assert.Equal(1L, stats.TransactionsSucceeded);
        Assert.Equal(1L, stats.Events["C_BAD_STREAMID"]);
        Assert.Equal(1L, stats.Events["C_BAD_STE"]);
    }

    [Fact]
    public void Every_case_starts_from_a_legal_baseline_that_translates()
    {
        var stats = new FuzzStatistics();
        var machine = new FuzzMachine(stats);

        Assert.Null(machine.Do(new Transaction(1, null, 0x1000, true))); // stage 1, read/write
        Assert.Null(machine.Do(new Transaction(2, null, 0x2000, false))); // stage 2, read-only
        Assert.Null(machine.Do(new Transaction(2, null, 0x2000, true)));

        Assert.Equal(2L, stats.TransactionsSucceeded);
        Assert.Equal(1L, stats.Faults["F_PERMISSION"]);
    }

    [Fact]
    public void A_write_to_an_ID_register_is_ignored_and_the_SMMU_is_brought_up_again()
    {
        var stats = new FuzzStatistics();
        var machine = new FuzzMachine(stats);

        Assert.Null(machine.Do(new WriteRegister(SmmuRegister.IDR0, ulong.MaxValue, Wide: false)));
        Assert.Null(machine.Do(new WriteRegister(SmmuRegister.CR0, 0, Wide: false)));
        Assert.Null(machine.Do(new WriteSte(3, SteOf(SteConfig.Bypass))));
        Assert.Null(machine.Do(new Transaction(3, null, 0x2000, false)));

        Assert.Equal(2L, stats.RegisterWrites);
        Assert.Equal(1L, stats.TransactionsSucceeded);
    }

    [Theory]
    [InlineData(70u, "C_BAD_STREAMID")]
    [InlineData(1u, "C_BAD_STE")]
    public void The_judge_rejects_a_translation_where_the_architecture_requires_an_abort(uint sid, string want)
    {
        var translated = new TransactionResult(TransactionOutcome.Translated, 0x8000_0000, 12);
        var problem = ArchitectedAnswers.Judge(new Transaction(sid, null, 0x1000, false), translated, new ulong[8], [], new FuzzStatistics());

        Assert.NotNull(problem);
        Assert.Contains(want, problem);
    }

    [Fact]
    public void The_judge_rejects_an_abort_STE_that_records_an_event_and_a_bypass_that_moves_the_address()
    {
        var aborted = TransactionResult.Abort(EventId.F_TRANSLATION);
        Assert.Contains("must abort without an event", ArchitectedAnswers.Judge(new Transaction(2, null, 0, false), aborted, SteOf(SteConfig.Abort), [], new FuzzStatistics()));

        var moved = new TransactionResult(TransactionOutcome.Bypassed, 0x5000, 12);
        Assert.Contains("must pass 0x4000 through", ArchitectedAnswers.Judge(new Transaction(3, null, 0x4000, false), moved, SteOf(SteConfig.Bypass), [], new FuzzStatistics()));
    }
}
