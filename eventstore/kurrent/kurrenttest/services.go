package kurrenttest

import (
	"context"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
)

// serverVersion is the KurrentDB version the double claims to be.
const serverVersion = "24.10.0"

type featuresService struct {
	serverfeatures.UnimplementedServerFeaturesServer
}

// GetSupportedMethods lists the Streams methods the double answers. BatchAppend is not among them, so a client
// that could use it keeps to Append.
func (featuresService) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	const svc = "event_store.client.streams.streams"
	return &serverfeatures.SupportedMethods{EventStoreServerVersion: serverVersion, Methods: []*serverfeatures.SupportedMethod{
		{ServiceName: svc, MethodName: "read"},
		{ServiceName: svc, MethodName: "append"},
		{ServiceName: svc, MethodName: "tombstone"},
	}}, nil
}

type gossipService struct {
	gossip.UnimplementedGossipServer
	s *Server
}

// Read describes the cluster a client given gossip seeds (esdb://a,b,c or esdb+discover://) asks about before
// it connects: this server as the leader and, with Options.Follower, the follower.
func (g gossipService) Read(context.Context, *shared.Empty) (*gossip.ClusterInfo, error) {
	member := func(id byte, state gossip.MemberInfo_VNodeState, port int) *gossip.MemberInfo {
		return &gossip.MemberInfo{
			InstanceId: structuredUUID([16]byte{0x6b, 0x75, 0x72, 0x72, 0x65, 0x6e, 0x74, 0x74, 0x65, 0x73, 0x74, id}),
			TimeStamp:  time.Now().UnixNano() / 100, State: state, IsAlive: true,
			HttpEndPoint: &gossip.EndPoint{Address: "127.0.0.1", Port: uint32(port)},
		}
	}
	info := &gossip.ClusterInfo{Members: []*gossip.MemberInfo{member(0, gossip.MemberInfo_Leader, g.s.port)}}
	if g.s.followerPort != 0 {
		info.Members = append(info.Members, member(1, gossip.MemberInfo_Follower, g.s.followerPort))
	}
	return info, nil
}
