using SmmuLab.Driver.Platform;
using SmmuLab.Exploration;

namespace SmmuLab.Concurrency.Tests;

/// <summary>The explorations mean something only if Coyote rewrote the code they run.</summary>
public class RewritingTests
{
    [Fact]
    public void The_test_assembly_and_the_driver_it_loads_are_rewritten_by_Coyote()
    {
        Assert.True(IsRewritten(typeof(RewritingTests).Assembly), "the test assembly was not rewritten (the CoyoteRewrite target did not run)");
        Assert.True(IsRewritten(typeof(Waiter).Assembly), "SmmuLab.Driver.dll in the test output was not rewritten");
        Assert.True(IsRewritten(typeof(CoyoteExplorer).Assembly), "SmmuLab.Exploration.dll in the test output was not rewritten");
    }

    private static bool IsRewritten(System.Reflection.Assembly assembly) =>
        assembly.GetCustomAttributesData().Any(a => a.AttributeType.FullName == "Microsoft.Coyote.Rewriting.RewritingSignatureAttribute");
}
