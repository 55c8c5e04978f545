using Microsoft.Coyote;
using Microsoft.Coyote.Specifications;
using Microsoft.Coyote.SystematicTesting;

namespace SmmuLab.Concurrency.Tests;

public class SmokeTests
{
    private int counter;

    [Fact]
    public void Lost_update_is_found()
    {
        var config = Configuration.Create().WithTestingIterations(100);
        var engine = TestingEngine.Create(config, async () =>
        {
            counter = 0;
            var a = Task.Run(async () => { var v = counter; await Task.Yield(); counter = v + 1; });
            var b = Task.Run(async () => { var v = counter; await Task.Yield(); counter = v + 1; });
            await Task.WhenAll(a, b);
            Specification.Assert(counter == 2, $"counter {counter}");
        });
        engine.Run();
        Assert.True(engine.TestReport.NumOfFoundBugs > 0);
    }
}
