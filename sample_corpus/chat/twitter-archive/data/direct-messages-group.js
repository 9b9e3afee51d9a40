window.YTD.direct_messages_group.part0 = [
  {
    "dmConversation" : {
      "conversationId" : "900000003",
      "messages" : [
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Fine. Delete after reading.",
            "mediaUrls" : [],
            "senderId" : "700000001",
            "id" : "786494874055606378",
            "createdAt" : "2016-10-13T09:12:45.000Z"
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Kelly's out. Let's keep it to the two of us then.",
            "mediaUrls" : [],
            "senderId" : "700000004",
            "id" : "786494181995446377",
            "createdAt" : "2016-10-13T09:10:00.000Z"
          }
        },
        {
          "participantsLeave" : {
            "userIds" : [
              "700000005"
            ],
            "createdAt" : "2016-10-13T09:06:30.000Z"
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "I'd rather not be on this thread at all. Leaving, sorry.",
            "mediaUrls" : [],
            "senderId" : "700000005",
            "id" : "786493217305526375",
            "createdAt" : "2016-10-13T09:06:10.000Z"
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Understood. Should we loop in Hana for the press side?",
            "mediaUrls" : [],
            "senderId" : "700000004",
            "id" : "786492672046006374",
            "createdAt" : "2016-10-13T09:04:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "reactions" : [],
            "urls" : [],
            "text" : "Moving this off email. OpenVault keeps messaging me. Nobody answers them but me, ok?",
            "mediaUrls" : [],
            "senderId" : "700000001",
            "id" : "786492042900406373",
            "createdAt" : "2016-10-13T09:01:30.000Z"
          }
        },
        {
          "joinConversation" : {
            "initiatingUserId" : "700000001",
            "participantsSnapshot" : [
              "700000001",
              "700000004",
              "700000005"
            ],
            "createdAt" : "2016-10-13T09:00:00.000Z"
          }
        }
      ]
    }
  }
]