using SmmuLab.Machines;
using SmmuLab.Reporting;

namespace SmmuLab.Scenarios.Tests.Reporting;

public class RunSummaryTextTests
{
    [Fact]
    public void Summary_format_names_every_counter()
    {
        var text = HandProgrammedRun.Run().Format();
        Assert.Contains("translations", text);
        Assert.Contains("ATS translation requests", text);
        Assert.Contains("TLB", text);
        Assert.Contains("CMD_SYNC", text);
        Assert.Contains("F_TRANSLATION", text);
    }
}
