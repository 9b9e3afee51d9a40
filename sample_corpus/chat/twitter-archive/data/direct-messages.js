window.YTD.direct_messages.part0 = [
  {
    "dmConversation" : {
      "conversationId" : "700000001-800000002",
      "messages" : [
        {
          "messageCreate" : {
            "recipientId" : "700000001",
            "reactions" : [],
            "urls" : [],
            "text" : "Hi Dana, reporters are asking about your meetings last summer. Would you like to comment? We are happy to publish the emails in full.",
            "mediaUrls" : [],
            "senderId" : "800000002",
            "id" : "884703810155446286",
            "createdAt" : "2017-07-11T09:20:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "700000001",
            "reactions" : [],
            "urls" : [],
            "text" : "Hi Dana, congratulations. A suggestion: your father could ask our founder's home country to make him its ambassador in Washington.",
            "mediaUrls" : [],
            "senderId" : "800000002",
            "id" : "809775085777846285",
            "createdAt" : "2016-12-16T15:00:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "700000001",
            "reactions" : [],
            "urls" : [],
            "text" : "Hi Dana, if your father loses, he should not concede. He should challenge the media coverage and the irregularities he has talked about.",
            "mediaUrls" : [],
            "senderId" : "800000002",
            "id" : "796126401131446284",
            "createdAt" : "2016-11-08T23:05:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "700000001",
            "reactions" : [],
            "urls" : [],
            "text" : "Even a single year, redacted as you see fit, would do. We can take it through the usual channel.",
            "mediaUrls" : [],
            "senderId" : "800000002",
            "id" : "789532451926966283",
            "createdAt" : "2016-10-21T18:23:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "700000001",
            "reactions" : [],
            "urls" : [],
            "text" : "Three reasons. 1) They will come out anyway, most likely through the worst possible outlet. 2) If we publish them it will dramatically improve the perception of impartiality of our other publications. 3) It shows his own side setting the terms.",
            "mediaUrls" : [],
            "senderId" : "800000002",
            "id" : "789532200268726282",
            "createdAt" : "2016-10-21T18:22:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "700000001",
            "reactions" : [],
            "urls" : [],
            "text" : "Hey Dana. We have an unusual idea. Leak us one or more of your father's tax returns.",
            "mediaUrls" : [],
            "senderId" : "800000002",
            "id" : "789531948610486281",
            "createdAt" : "2016-10-21T18:21:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "800000002",
            "reactions" : [],
            "urls" : [],
            "text" : "Did you know who was behind the PAC?",
            "mediaUrls" : [],
            "senderId" : "700000001",
            "id" : "786322551075766280",
            "createdAt" : "2016-10-12T21:48:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "700000001",
            "reactions" : [],
            "urls" : [],
            "text" : "There are many great stories the press are missing and we're sure some of your followers will find them. Btw we just released the Fairview emails.",
            "mediaUrls" : [],
            "senderId" : "800000002",
            "id" : "786193702056886279",
            "createdAt" : "2016-10-12T13:16:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "700000001",
            "reactions" : [],
            "urls" : [
              {
                "url" : "https://t.co/abc123",
                "expanded" : "https://search.openvault.example.org/archive",
                "display" : "search.openvault.example.org/archive"
              }
            ],
            "text" : "Hey Dana, strongly suggest your father shares this link if he mentions us: https://t.co/abc123",
            "mediaUrls" : [],
            "senderId" : "800000002",
            "id" : "786193450398646278",
            "createdAt" : "2016-10-12T13:15:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "800000002",
            "reactions" : [],
            "urls" : [],
            "text" : "What's behind this Wednesday leak I keep reading about?",
            "mediaUrls" : [],
            "senderId" : "700000001",
            "id" : "782999404016566277",
            "createdAt" : "2016-10-03T17:43:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "800000002",
            "reactions" : [],
            "urls" : [],
            "text" : "Already did that earlier today. It's amazing what she can get away with.",
            "mediaUrls" : [],
            "senderId" : "700000001",
            "id" : "782998649041846276",
            "createdAt" : "2016-10-03T17:40:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "700000001",
            "reactions" : [],
            "urls" : [
              {
                "url" : "https://t.co/dr0ne4Q2zK",
                "expanded" : "https://openvault.example.org/news/garner-drone-remark",
                "display" : "openvault.example.org/news/garner-dr…"
              }
            ],
            "text" : "Hey Dana. Great to see you and your father talking about our publications. Could you comment on or push this story? https://t.co/dr0ne4Q2zK",
            "mediaUrls" : [],
            "senderId" : "800000002",
            "id" : "782994874168246275",
            "createdAt" : "2016-10-03T17:25:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "800000002",
            "reactions" : [],
            "urls" : [],
            "text" : "Off the record I don't know who that is, but I'll ask around. Thanks.",
            "mediaUrls" : [],
            "senderId" : "700000001",
            "id" : "778580788638646274",
            "createdAt" : "2016-09-21T13:05:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "700000001",
            "reactions" : [],
            "urls" : [],
            "text" : "A PAC-run anti-Reyes site, stopreyes.example.com, is about to launch. The PAC used to back Senator Garner. The site is still password protected, but we guessed it: the password is 'stopreyes2016'. See 'About' for who is behind it. Any comments?",
            "mediaUrls" : [],
            "senderId" : "800000002",
            "id" : "778285090206646273",
            "createdAt" : "2016-09-20T17:30:00.000Z"
          }
        }
      ]
    }
  }
]