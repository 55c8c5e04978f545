using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;

namespace SmmuLab.Driver.Tests.Invalidation;

public class InvalidationDesignsTests
{
    [Theory]
    [InlineData("legacy", typeof(LegacyInvalidation))]
    [InlineData("linux", typeof(LinuxInvalidation))]
    [InlineData(" Linux ", typeof(LinuxInvalidation))]
    public void Creates_by_name(string name, Type type)
    {
        var design = InvalidationDesigns.Create(name);
        Assert.IsType(type, design);
        Assert.Equal(name.Trim().ToLowerInvariant(), design.Name);
    }

    [Fact]
    public void Unknown_name_lists_the_valid_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => InvalidationDesigns.Create("rcu"));
        Assert.Contains("legacy, linux", e.Message);
        Assert.Contains("'rcu'", e.Message);
        Assert.Equal("name", e.ParamName);
        Assert.Equal([InvalidationDesigns.Legacy, InvalidationDesigns.Linux], InvalidationDesigns.Names);
    }
}
