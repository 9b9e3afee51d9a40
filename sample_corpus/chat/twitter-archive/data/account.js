window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "dana.reyes@reyes2016.example.com",
      "createdVia" : "web",
      "username" : "DanaReyes",
      "accountId" : "700000001",
      "createdAt" : "2009-03-01T10:00:00.000Z",
      "accountDisplayName" : "Dana Reyes"
    }
  }
]