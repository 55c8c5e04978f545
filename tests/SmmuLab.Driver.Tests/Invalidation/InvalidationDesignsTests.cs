using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;

namespace SmmuLab.Driver.Tests.Invalidation;

public class InvalidationDesignsTests
{
    [Theory]
    [InlineData("legacy", typeof(LegacyInvalidation))]
    [InlineData("linux", typeof(LinuxInvalidation))]
    [InlineData(" Linux ", typeof(LinuxInvalidation))]
    public void CreatesByName(string name, Type type)
    {
        var design = InvalidationDesigns.Create(name);
        Assert.IsType(type, design);
        Assert.Equal(name.Trim().ToLowerInvariant(), design.Name);
    }

    [Fact]
    public void UnknownNameListsTheValidOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => InvalidationDesigns.Create("rcu"));
        Assert.Contains("legacy, linux", e.Message);
    }
}
